import type { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

describe('the EventBridge trigger', () => {
  let t: TestLocalMode;
  let events: EventBridgeClient;
  beforeAll(async () => {
    t = await startTestLocalMode();
    events = new EventBridgeClient({
      endpoint: t.local.urls.eventbridge,
      region: LOCAL_REGION,
      credentials: t.local.credentials,
    });
  });
  afterAll(async () => {
    events.destroy();
    await t.local.stop();
  });

  /** The error lines of local mode's loggers: each invocation logs on its own child of the runtime's logger. */
  const spyOnLocalErrors = () => vi.spyOn(Object.getPrototypeOf(t.local.runtime.logger) as Logger, 'error');
  const request = (detail: Record<string, unknown>, source = 'alerting.pipeline') =>
    events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'lockstep',
            Source: source,
            DetailType: 'WorkflowExecution Requested',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );

  const executionsOf = async (target: string) =>
    (await t.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`)).body.items as {
      id: string;
      source: string;
      requestedBy: string;
      phase: string;
    }[];

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
    expect(executions[0]).toMatchObject({
      source: 'event',
      requestedBy: 'event:alerting.pipeline',
      phase: 'Completed',
      correlationId: 'alert-77',
    });
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

  it('drops a request event that names someone it acts for (onBehalfOf is for intermediaries of the API): nothing is created, the reason is logged', async () => {
    const target = uniqueTarget();
    const errors = spyOnLocalErrors();
    await request({ targetResource: target, workflowId: 'noop', onBehalfOf: 'alice' });
    await t.settle();

    expect(await executionsOf(target)).toEqual([]);
    expect(errors).toHaveBeenCalledWith(
      'WorkflowExecution Requested event rejected',
      expect.objectContaining({ reason: expect.stringContaining('detail.onBehalfOf') }),
    );
    errors.mockRestore();
  });

  it('keeps the keys of two sources apart whatever characters they contain (source a:b with key c, source a with key b:c)', async () => {
    const first = uniqueTarget();
    const second = uniqueTarget();
    const prefix = `src-${first.split('/')[0]}`;
    await request({ targetResource: first, workflowId: 'noop', idempotencyKey: 'c' }, `${prefix}:b`);
    await request({ targetResource: second, workflowId: 'noop', idempotencyKey: 'b:c' }, prefix);
    await t.settle();

    expect(await executionsOf(first)).toEqual([
      expect.objectContaining({ requestedBy: `event:${prefix}:b`, phase: 'Completed' }),
    ]);
    expect(await executionsOf(second)).toEqual([
      expect.objectContaining({ requestedBy: `event:${prefix}`, phase: 'Completed' }),
    ]);
  });

  it.each([
    ['a bad target', { targetResource: 'only-one-part', workflowId: 'noop' }, 'detail.targetResource: '],
    [
      'a parameter the workflow does not declare',
      { targetResource: 'x/deployment/y', workflowId: 'noop', parameters: { NOPE: '1' } },
      'detail.parameters.NOPE: ',
    ],
    [
      'a parameter of the wrong type',
      { targetResource: 'x/deployment/y', workflowId: 'wait', parameters: { SECONDS: '05' } },
      'detail.parameters.SECONDS: ',
    ],
  ])('names where the problem is in the event (detail.…) when it rejects %s', async (_label, detail, reason) => {
    const errors = spyOnLocalErrors();
    await request(detail, 'src-locations');
    await t.settle();
    const rejected = errors.mock.calls.find(([message]) => message === 'WorkflowExecution Requested event rejected');
    errors.mockRestore();
    expect(rejected?.[1]).toMatchObject({ reason: expect.stringContaining(reason) });
    expect(rejected?.[1]).not.toMatchObject({ reason: expect.stringContaining('body.') });
  });

  it.each([
    ['blank', '  ', 'detail.idempotencyKey: must not be empty or blank'],
    [
      'a tab',
      '\t',
      'detail.idempotencyKey: must be only printable ASCII characters (U+0020–U+007E), found U+0009 at position 0',
    ],
    ['empty', '', 'detail.idempotencyKey: must not be empty or blank'],
    ['256 characters', 'k'.repeat(256), 'detail.idempotencyKey: must be at most 255 characters, got 256'],
    [
      'not ASCII',
      'clé',
      'detail.idempotencyKey: must be only printable ASCII characters (U+0020–U+007E), found U+00E9 at position 2',
    ],
    [
      'Cyrillic',
      'ключ',
      'detail.idempotencyKey: must be only printable ASCII characters (U+0020–U+007E), found U+043A at position 0',
    ],
    [
      'a control character',
      'key\u0007',
      'detail.idempotencyKey: must be only printable ASCII characters (U+0020–U+007E), found U+0007 at position 3',
    ],
    [
      'an emoji',
      'ok-😀',
      'detail.idempotencyKey: must be only printable ASCII characters (U+0020–U+007E), found U+1F600 at position 3',
    ],
  ])(
    'rejects an event whose idempotencyKey is %s, logging the reason, and starts nothing; the same request without the key still runs',
    async (_label, idempotencyKey, reason) => {
      const errors = spyOnLocalErrors();
      const target = uniqueTarget();
      const source = `src-${target.split('/')[0]}`;
      await request({ targetResource: target, workflowId: 'noop', idempotencyKey }, source);
      await t.settle();
      const rejected = errors.mock.calls.find(([message]) => message === 'WorkflowExecution Requested event rejected');
      errors.mockRestore();
      expect(await executionsOf(target)).toEqual([]);
      expect(rejected?.[1]).toMatchObject({ source, reason: expect.stringContaining(reason) });

      await request({ targetResource: target, workflowId: 'noop' }, source);
      await t.settle();
      expect(await executionsOf(target)).toEqual([expect.objectContaining({ phase: 'Completed' })]);
    },
  );
});
