import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../lib/local/dynamodb-local.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

describe('the EventBridge trigger', () => {
  let t: TestLocalMode;
  let events: EventBridgeClient;
  beforeAll(async () => {
    t = await startTestLocalMode();
    events = new EventBridgeClient({ endpoint: t.local.urls.eventbridge, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    events.destroy();
    await t.local.stop();
  });

  const request = (detail: Record<string, unknown>) =>
    events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'lockstep', Source: 'alerting.pipeline', DetailType: 'WorkflowExecution Requested', Detail: JSON.stringify(detail) }] }));

  const executionsOf = async (target: string) => (await t.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`)).body.items as { id: string; source: string; requestedBy: string; phase: string }[];

  it('creates exactly one execution from a WorkflowExecution Requested event, also when the event is delivered twice', async () => {
    const target = uniqueTarget();
    const put = await request({ targetResource: target, workflowId: 'noop', correlationId: 'alert-77' });
    expect(put.FailedEntryCount).toBe(0);
    await t.settle();

    t.local.bus.redeliver(put.Entries![0]!.EventId!, 'lockstep');
    t.local.bus.redeliver(put.Entries![0]!.EventId!, 'lockstep');
    await t.settle();

    const executions = await executionsOf(target);
    expect(executions).toHaveLength(1);
    expect(executions[0]).toMatchObject({ source: 'event', requestedBy: 'event:alerting.pipeline', phase: 'Completed', correlationId: 'alert-77' });
  });

  it('uses detail.idempotencyKey over the event id: two events with one key make one execution', async () => {
    const target = uniqueTarget();
    await request({ targetResource: target, workflowId: 'noop', idempotencyKey: `alert-${target}` });
    await request({ targetResource: target, workflowId: 'noop', idempotencyKey: `alert-${target}` });
    await t.settle();

    expect(await executionsOf(target)).toHaveLength(1);
  });

  it('drops an invalid request event without creating anything', async () => {
    const target = uniqueTarget();
    await request({ targetResource: target, workflowId: 'no-such-workflow' });
    await t.settle();

    expect(await executionsOf(target)).toEqual([]);
  });
});
