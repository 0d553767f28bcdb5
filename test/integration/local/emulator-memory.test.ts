import { describe, expect, it } from 'vitest';
import { type DeliveredEvent, LocalEventBus } from '../../../lib/local/eventbridge/local-event-bus.js';
import { LocalStepFunctions } from '../../../lib/local/stepfunctions/local-step-functions.js';
import { ManualClock } from '../../support/manual-clock.js';
import { until } from '../../support/wait.js';

const QUICK = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
const FAILING = JSON.stringify({
  StartAt: 'Prepare',
  States: { Prepare: { Type: 'Pass', Next: 'Boom' }, Boom: { Type: 'Fail', Error: 'Boom', Cause: 'why' } },
});
const LONG_WAIT = JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 600, End: true } } });

function emulator(options: { maxFinishedExecutions?: number; maxTombstones?: number } = {}) {
  const sfn = new LocalStepFunctions({ clock: new ManualClock(), ...options });
  const quick = sfn.createStateMachine({ name: 'quick', definition: QUICK }).stateMachineArn;
  const failing = sfn.createStateMachine({ name: 'failing', definition: FAILING }).stateMachineArn;
  const wait = sfn.createStateMachine({ name: 'long-wait', definition: LONG_WAIT }).stateMachineArn;
  return { sfn, quick, failing, wait };
}

/** Runs each named execution to its end, one after the other (`idle()` would also wait for a run left running on purpose). */
async function runAll(sfn: LocalStepFunctions, stateMachineArn: string, names: string[]): Promise<string[]> {
  const arns: string[] = [];
  for (const name of names) {
    const { executionArn } = sfn.startExecution({ stateMachineArn, name, input: JSON.stringify({ name }) });
    await until(
      () => (sfn.describeExecution(executionArn).status === 'RUNNING' ? undefined : true),
      5_000,
      `${name} to end`,
      1,
    );
    arns.push(executionArn);
  }
  return arns;
}

describe('local Step Functions memory: a bounded window of finished runs and of tombstones', () => {
  it('keeps the last finished runs whole, tombstones of older ones, and forgets the oldest', async () => {
    const { sfn, quick } = emulator({ maxFinishedExecutions: 5, maxTombstones: 10 });

    const arns = await runAll(
      sfn,
      quick,
      Array.from({ length: 20 }, (_, i) => `run-${i}`),
    );

    // The last 5: whole.
    for (const arn of arns.slice(15)) {
      expect(sfn.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', output: expect.any(String) });
      expect(sfn.getExecutionHistory({ executionArn: arn }).events.map((e) => e.type)).toEqual([
        'ExecutionStarted',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
    }
    expect(
      sfn
        .listExecutions({ stateMachineArn: quick })
        .executions.map((e) => e.executionArn)
        .sort(),
    ).toEqual(arns.slice(15).sort());
    // The 10 before: tombstones that still answer Describe and still hold their name.
    for (const [i, arn] of arns.slice(5, 15).entries()) {
      const name = `run-${i + 5}`;
      expect(sfn.describeExecution(arn)).toMatchObject({
        executionArn: arn,
        stateMachineArn: quick,
        name,
        status: 'SUCCEEDED',
        input: JSON.stringify({ name }),
        startDate: expect.any(Date),
        stopDate: expect.any(Date),
      });
      expect(() => sfn.startExecution({ stateMachineArn: quick, name, input: JSON.stringify({ name }) })).toThrow(
        /Execution Already Exists/,
      );
    }
    // The oldest 5: gone, as on AWS once retention has passed.
    for (const arn of arns.slice(0, 5)) {
      expect(() => sfn.describeExecution(arn)).toThrow(/Execution Does Not Exist/);
      expect(() => sfn.getExecutionHistory({ executionArn: arn })).toThrow(/Execution Does Not Exist/);
    }
    expect(sfn.retained()).toEqual({ running: 0, finished: 5, tombstones: 10 });
  });

  it('answers the history of a tombstoned failed run with its start, the state it failed in and its end', async () => {
    const { sfn, failing, quick } = emulator({ maxFinishedExecutions: 2, maxTombstones: 10 });
    const [failed] = await runAll(sfn, failing, ['failed-run']);
    await runAll(sfn, quick, ['later-1', 'later-2', 'later-3']);

    expect(sfn.describeExecution(failed!)).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'why' });
    const history = sfn.getExecutionHistory({ executionArn: failed!, reverseOrder: true }).events;
    expect(history.find((e) => e.stateEnteredEventDetails)).toMatchObject({
      type: 'FailStateEntered',
      stateEnteredEventDetails: { name: 'Boom' },
    });
    expect(history[0]).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'Boom', cause: 'why' },
    });
  });

  it('never evicts a running execution, however many runs finish after it', async () => {
    const { sfn, quick, wait } = emulator({ maxFinishedExecutions: 3, maxTombstones: 3 });
    const { executionArn: running } = sfn.startExecution({ stateMachineArn: wait, name: 'still-running' });

    await runAll(
      sfn,
      quick,
      Array.from({ length: 20 }, (_, i) => `after-${i}`),
    );

    expect(sfn.retained()).toEqual({ running: 1, finished: 3, tombstones: 3 });
    expect(sfn.describeExecution(running)).toMatchObject({ status: 'RUNNING' });
    expect(
      sfn.listExecutions({ stateMachineArn: wait, statusFilter: 'RUNNING' }).executions.map((e) => e.executionArn),
    ).toEqual([running]);
    sfn.stopExecution({ executionArn: running });
    await sfn.idle();
    expect(sfn.describeExecution(running)).toMatchObject({ status: 'ABORTED' });
  });

  it('defaults to 1,000 finished runs and 100,000 tombstones', async () => {
    const { sfn, quick } = emulator();

    await runAll(
      sfn,
      quick,
      Array.from({ length: 1_200 }, (_, i) => `default-${i}`),
    );

    expect(sfn.retained()).toEqual({ running: 0, finished: 1_000, tombstones: 200 });
  });
});

describe('local EventBridge memory: a bounded window of events kept for redelivery', () => {
  const event = (i: number): DeliveredEvent => ({
    version: '0',
    id: `event-${i}`,
    'detail-type': 'Test',
    source: 'test',
    account: '0',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { i },
  });

  it('keeps the last events for redelivery and refuses older ones clearly', async () => {
    const bus = new LocalEventBus({ clock: new ManualClock(), maxRetainedEvents: 5 });
    const seen: string[] = [];
    bus.addRule({
      name: 'collect',
      eventBusName: 'default',
      pattern: { source: ['test'] },
      target: async (e) => void seen.push(e.id),
    });

    for (let i = 0; i < 20; i++) bus.publish(event(i));
    await bus.idle();

    expect(() => bus.redeliver('event-0')).toThrow(/event-0/);
    bus.redeliver('event-19');
    await bus.idle();
    expect(seen.filter((id) => id === 'event-19')).toHaveLength(2);
    expect(bus.retained()).toEqual({ events: 5, deliveriesInFlight: 0 });
  });

  it('defaults to the last 1,000 events', async () => {
    const bus = new LocalEventBus({ clock: new ManualClock() });

    for (let i = 0; i < 1_500; i++) bus.publish(event(i));
    await bus.idle();

    expect(bus.retained().events).toBe(1_000);
  });
});
