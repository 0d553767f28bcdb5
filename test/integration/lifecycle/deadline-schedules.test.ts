import { ConflictException, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineSchedules } from '../../../lib/adapters/scheduler/deadline-schedules.js';
import { DEADLINE_DETAIL_TYPE } from '../../../lib/contract/events.js';
import { createSweeperHandler } from '../../../lib/handlers/sweeper-handler.js';
import type { DeadlineScheduler } from '../../../lib/ports/index.js';
import { cancelExecution } from '../../../lib/use-cases/cancel-execution.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { uniqueTarget } from '../../support/lifecycle.js';

/** EventBridge Scheduler has no local emulator: this client records what would be sent, and answers as the service does. */
function recordingScheduler(answer: (command: string) => Error | undefined = () => undefined) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const client = new SchedulerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  client.send = (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    sent.push({ command: name, input: command.input });
    const error = answer(name);
    if (error) throw error;
    return {};
  }) as never;
  return { client, sent };
}

describe('deadlines on AWS: EventBridge Scheduler one-time schedules', () => {
  it('creates one schedule at the deadline (rounded up to the second) that puts a deadline event on the bus, and deletes it', async () => {
    const { client, sent } = recordingScheduler();
    const schedules = new DeadlineSchedules({
      client,
      groupName: 'lockstep-deadlines',
      targetArn: 'arn:aws:events:eu-west-1:1:event-bus/lockstep',
      roleArn: 'arn:aws:iam::1:role/scheduler',
    });

    await schedules.schedule('e-1', new Date('2026-03-01T10:00:00.250Z'));
    await schedules.cancel('e-1');

    expect(sent).toEqual([
      {
        command: 'CreateSchedule',
        input: expect.objectContaining({
          Name: 'deadline-e-1',
          GroupName: 'lockstep-deadlines',
          ScheduleExpression: 'at(2026-03-01T10:00:01)',
          ScheduleExpressionTimezone: 'UTC',
          ActionAfterCompletion: 'DELETE',
          Target: expect.objectContaining({
            Arn: 'arn:aws:events:eu-west-1:1:event-bus/lockstep',
            EventBridgeParameters: { DetailType: DEADLINE_DETAIL_TYPE, Source: 'lockstep.deadlines' },
            Input: '{"deadlineOf":"e-1"}',
          }),
        }),
      },
      { command: 'DeleteSchedule', input: { Name: 'deadline-e-1', GroupName: 'lockstep-deadlines' } },
    ]);
  });

  it('treats a schedule that exists already, or is already gone, as done (events arrive at least once)', async () => {
    const { client } = recordingScheduler((command) =>
      command === 'CreateSchedule'
        ? new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} })
        : new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }),
    );
    const schedules = new DeadlineSchedules({
      client,
      groupName: 'g',
      targetArn: 'arn:aws:events:eu-west-1:1:event-bus/lockstep',
      roleArn: 'arn:aws:iam::1:role/r',
    });
    await expect(schedules.schedule('e-2', new Date())).resolves.toBeUndefined();
    await expect(schedules.cancel('e-2')).resolves.toBeUndefined();
  });

  describe('with the engine', () => {
    let t: TestEngine;
    const armed: { op: string; id: string; at?: string }[] = [];
    const deadlines: DeadlineScheduler = {
      schedule: (id, at) => void armed.push({ op: 'schedule', id, at: at.toISOString() }),
      cancel: (id) => void armed.push({ op: 'cancel', id }),
    };
    beforeAll(async () => {
      t = await createTestEngine();
      t.engine.deadlines = deadlines;
    });
    afterAll(() => t.close());

    it('arms the deadline when the run starts (its RUNNING event), and disarms it when the run ends', async () => {
      // A one-second run: its RUNNING event is handled before it ends (a noop's may come after its end, and then nothing is armed).
      const run = await requestExecution(t.engine, {
        targetResource: uniqueTarget(),
        workflowId: 'wait',
        parameters: { SECONDS: '1' },
        requestedBy: 'test',
        source: 'api',
        timeoutSeconds: 90,
      });
      await t.settle();
      const { id, startTime } = (await t.recorded(run.record.execution.id)).execution;
      expect(armed.filter((a) => a.id === id)).toEqual([
        { op: 'schedule', id, at: new Date(Date.parse(startTime!) + 90_000).toISOString() },
        { op: 'cancel', id },
      ]);
    });

    it('touches no schedule for a refused admission (only a run that started has a deadline)', async () => {
      const target = uniqueTarget();
      const holder = await requestExecution(t.engine, {
        targetResource: target,
        workflowId: 'wait',
        parameters: { SECONDS: '600' },
        requestedBy: 'test',
        source: 'api',
      });
      const before = armed.length;
      const refused = await requestExecution(t.engine, {
        targetResource: target,
        workflowId: 'noop',
        requestedBy: 'test',
        source: 'api',
      });
      expect(refused.kind).toBe('skipped');
      expect(armed.slice(before).filter((a) => a.id === refused.record.execution.id)).toEqual([]);
      await cancelExecution(t.engine, { executionId: holder.record.execution.id, requestedBy: 'test' });
      await t.settle();
    });

    it('enforces a fired deadline in the sweeper function: Failed/DeadlineExceeded, the run stopped', async () => {
      const run = await requestExecution(t.engine, {
        targetResource: uniqueTarget(),
        workflowId: 'wait',
        parameters: { SECONDS: '600' },
        requestedBy: 'test',
        source: 'api',
        timeoutSeconds: 30,
      });
      await t.recorded(run.record.execution.id); // its RUNNING event handled: a deadline runs from the start
      const sweeper = createSweeperHandler({ engine: t.engine });
      const event = {
        version: '0',
        id: 'ev-1',
        'detail-type': DEADLINE_DETAIL_TYPE,
        source: 'lockstep.deadlines',
        detail: { deadlineOf: run.record.execution.id },
      };

      // A schedule that fires early (Scheduler rounds to the second) changes nothing and arms again.
      t.clock.advanceSeconds(29);
      expect(await sweeper(event)).toEqual({ deadlineOf: run.record.execution.id, next: expect.any(String) });
      expect((await t.recorded(run.record.execution.id)).execution.phase).toBe('Running');

      t.clock.advanceSeconds(1);
      expect(await sweeper(event)).toEqual({ deadlineOf: run.record.execution.id });
      await t.settle();
      expect((await t.store.getExecution(run.record.execution.id))?.execution).toMatchObject({
        phase: 'Failed',
        failureDetails: { reason: 'DeadlineExceeded', wasExecutionFailure: true },
      });
      expect((await t.engine.driver.describe(t.arnOf(run.record.execution.id)))?.status).toBe('ABORTED');
    });
  });
});
