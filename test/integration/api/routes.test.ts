import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

const encode = encodeURIComponent;

describe('the HTTP API of API.md, end to end through local mode', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    t = await startTestLocalMode();
  });
  afterAll(() => t.local.stop());

  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.call('POST', '/executions', { body, headers });

  describe('authentication', () => {
    it('answers GET /health without credentials', async () => {
      expect(await t.call('GET', '/health', { token: null })).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it.each([
      ['no token', null],
      ['a wrong token', 'not-the-token'],
    ])('refuses every other route with %s: 401 and the error body, nothing written', async (_label, token) => {
      const target = uniqueTarget();
      for (const [method, path] of [
        ['POST', '/executions'],
        ['GET', `/executions?targetResource=${encode(target)}`],
        ['GET', '/workflows'],
        ['GET', `/targets/${encode(target)}`],
        ['POST', `/targets/${encode(target)}/clearance`],
      ] as const) {
        const response = await t.call(method, path, {
          token,
          ...(method === 'POST' && { body: { targetResource: target, workflowId: 'noop' } }),
        });
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
      }
      expect((await t.call('GET', `/targets/${encode(target)}`)).body).toMatchObject({
        state: 'Idle',
        consecutiveFailures: 0,
      });
      expect((await t.call('GET', `/executions?targetResource=${encode(target)}`)).body.items).toEqual([]);
    });
  });

  describe('POST /executions', () => {
    it('creates an execution: 201 with the execution as stored, Pending, then Running under its deterministic name', async () => {
      const response = await create({
        targetResource: 'payments/Deployment/payments-api-1',
        workflowId: 'wait',
        parameters: { SECONDS: '1' },
        correlationId: 'rr-123',
      });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        targetResource: 'payments/deployment/payments-api-1',
        workflowId: 'wait',
        workflowVersion: '1',
        parameters: { SECONDS: '1' },
        correlationId: 'rr-123',
        requestedBy: 'token:local-admin',
        source: 'api',
        phase: 'Pending',
      });
      expect(response.body.executionRef).toBeUndefined();
      // The start is recorded by its RUNNING event, a moment after the answer.
      await t.local.bus.idle();
      expect((await t.call('GET', `/executions/${response.body.id}`)).body).toMatchObject({
        phase: 'Running',
        executionRef: {
          name: expect.stringMatching(/^wfe-[0-9a-f]{16}-1$/),
          arn: expect.stringContaining(':execution:lockstep-wait-v1:'),
        },
      });
      await t.settle();
    });

    it('refuses a second admission while the first holds the target: 409 with the Skipped execution naming the holder', async () => {
      const target = uniqueTarget();
      const first = await create({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } });

      const second = await create({ targetResource: target, workflowId: 'noop' });

      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({
        phase: 'Skipped',
        skipDetails: { reason: 'ResourceBusy', conflictingExecutionId: first.body.id },
        error: { code: 'ResourceBusy' },
      });
      expect(second.headers.get('retry-after')).toBeNull();
      await t.call('POST', `/executions/${first.body.id}/cancel`);
    });

    it('answers a refusal with a known end with Retry-After in whole seconds, rounded up', async () => {
      const target = uniqueTarget();
      await create({ targetResource: target, workflowId: 'noop' });
      await t.settle();
      t.clock.advanceSeconds(99.5);

      const refused = await create({ targetResource: target, workflowId: 'noop' });

      expect(refused.status).toBe(409);
      expect(refused.body.skipDetails).toMatchObject({ reason: 'RecentlyRemediated', retryAfterSeconds: 201 });
      expect(refused.headers.get('retry-after')).toBe('201');
    });

    it.each([
      ['an invalid target', { targetResource: 'a//b', workflowId: 'noop' }, 400, 'ValidationError'],
      ['a missing workflowId', { targetResource: 'a/b' }, 400, 'ValidationError'],
      ['an unknown field', { targetResource: 'a/b', workflowId: 'noop', priority: 1 }, 400, 'ValidationError'],
      [
        'lower-case parameter names',
        { targetResource: 'a/b', workflowId: 'noop', parameters: { reason: 'x' } },
        400,
        'ValidationError',
      ],
      [
        'a missing required parameter',
        { targetResource: 'a/b', workflowId: 'restart-ecs-service', parameters: { CLUSTER: 'c' } },
        400,
        'ValidationError',
      ],
      ['an unknown workflow', { targetResource: 'a/b', workflowId: 'reboot-the-world' }, 400, 'UnknownWorkflow'],
      [
        'an unknown workflow version',
        { targetResource: 'a/b', workflowId: 'noop', workflowVersion: '7' },
        400,
        'UnknownWorkflow',
      ],
    ])('refuses %s (400 with the error code)', async (_label, body, status, code) => {
      const response = await create(body);
      expect(response.status).toBe(status);
      expect(response.body.error).toMatchObject({ code, message: expect.any(String) });
    });

    it('refuses a body that is not JSON (400), not declared as JSON (415), or larger than 256 KiB (413)', async () => {
      expect(
        await t.call('POST', '/executions', {
          raw: '{"targetResource":',
          headers: { 'content-type': 'application/json' },
        }),
      ).toMatchObject({ status: 400, body: { error: { code: 'ValidationError' } } });
      expect(
        await t.call('POST', '/executions', { raw: 'targetResource=a/b', headers: { 'content-type': 'text/plain' } }),
      ).toMatchObject({ status: 415, body: { error: { code: 'UnsupportedMediaType' } } });
      const huge = JSON.stringify({
        targetResource: 'a/b',
        workflowId: 'noop',
        parameters: { PAD: 'x'.repeat(257 * 1024) },
      });
      expect(
        await t.call('POST', '/executions', { raw: huge, headers: { 'content-type': 'application/json' } }),
      ).toMatchObject({ status: 413, body: { error: { code: 'PayloadTooLarge' } } });
    });

    it('returns the same execution for the same Idempotency-Key, also under concurrent retries', async () => {
      const target = uniqueTarget();
      const body = { targetResource: target, workflowId: 'noop' };
      const headers = { 'idempotency-key': `key-${target}` };

      const concurrent = await Promise.all(Array.from({ length: 8 }, () => create(body, headers)));
      await t.settle();
      const later = await create(body, headers);

      const created = concurrent.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      for (const response of concurrent.filter((r) => r.status !== 201))
        expect(response).toMatchObject({ status: 409, body: { error: { code: 'Conflict' } } });
      expect(new Set([...created, later].map((r) => r.body.id)).size).toBe(1);
      expect(later.status).toBe(201);
      const listed = await t.call('GET', `/executions?targetResource=${encode(target)}`);
      expect(listed.body.items).toHaveLength(1);
      const reused = await create({ targetResource: target, workflowId: 'wait' }, headers);
      expect(reused).toMatchObject({
        status: 409,
        body: { error: { code: 'Conflict', message: expect.stringContaining('different request') } },
      });
    });
  });

  describe('reading executions', () => {
    it('GET /executions/{id}: 200 with the execution, 404 for an unknown id', async () => {
      const created = await create({ targetResource: uniqueTarget(), workflowId: 'noop' });
      await t.settle();

      expect(await t.call('GET', `/executions/${created.body.id}`)).toMatchObject({
        status: 200,
        body: { id: created.body.id, phase: 'Completed', completionTime: expect.any(String) },
      });
      expect(await t.call('GET', '/executions/no-such-id')).toMatchObject({
        status: 404,
        body: { error: { code: 'NotFound' } },
      });
    });

    it('GET /executions/{id}/events: the audit events in the order they happened', async () => {
      const created = await create({ targetResource: uniqueTarget(), workflowId: 'noop' });
      await t.settle();

      const events = await t.call('GET', `/executions/${created.body.id}/events`);

      expect(events.status).toBe(200);
      expect(events.body.items.map((e: { type: string; seq: number }) => [e.seq, e.type])).toEqual([
        [1, 'workflowexecution.selection.completed'],
        [2, 'workflowexecution.execution.started'],
        [3, 'workflowexecution.workflow.completed'],
      ]);
    });

    it('GET /executions?targetResource=: newest first, limit and nextToken, phase filter; 400 on bad queries', async () => {
      const target = uniqueTarget();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await create({ targetResource: target, workflowId: 'noop' })).body.id);
        await t.settle();
        t.clock.advanceSeconds(300);
      }

      const first = await t.call('GET', `/executions?targetResource=${encode(target)}&limit=2`);
      const second = await t.call(
        'GET',
        `/executions?targetResource=${encode(target)}&limit=2&nextToken=${encode(first.body.nextToken)}`,
      );
      const completed = await t.call('GET', `/executions?targetResource=${encode(target)}&phase=Completed`);

      expect(first.body.items.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
      expect(second.body.items.map((e: { id: string }) => e.id)).toEqual([ids[0]]);
      expect(second.body.nextToken).toBeUndefined();
      expect(completed.body.items).toHaveLength(3);
      for (const query of [
        '',
        'targetResource=a/b&limit=0',
        'targetResource=a/b&limit=101',
        'targetResource=a/b&phase=Done',
        'targetResource=a/b&nextToken=junk',
        'targetResource=a/b&color=red',
      ]) {
        expect(await t.call('GET', `/executions?${query}`)).toMatchObject({
          status: 400,
          body: { error: { code: 'ValidationError' } },
        });
      }
    });
  });

  describe('cancel', () => {
    it('POST /executions/{id}/cancel: 202 Failed/Cancelled; 409 when already terminal; 404 when unknown', async () => {
      const target = uniqueTarget();
      const running = await create({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } });

      const cancelled = await t.call('POST', `/executions/${running.body.id}/cancel`);
      await t.settle();

      expect(cancelled).toMatchObject({
        status: 202,
        body: {
          id: running.body.id,
          phase: 'Failed',
          failureDetails: { reason: 'Cancelled', wasExecutionFailure: false },
        },
      });
      expect(await t.call('POST', `/executions/${running.body.id}/cancel`)).toMatchObject({
        status: 409,
        body: { error: { code: 'Conflict' } },
      });
      expect(await t.call('POST', '/executions/nope/cancel')).toMatchObject({
        status: 404,
        body: { error: { code: 'NotFound' } },
      });
      expect((await t.call('GET', `/targets/${encode(target)}`)).body).toMatchObject({ state: 'CoolingDown' });
    });
  });

  describe('targets', () => {
    it('GET /targets/{targetResource}: an unknown target is Idle; a held one Running', async () => {
      const target = uniqueTarget();
      expect(await t.call('GET', `/targets/${encode(target)}`)).toMatchObject({
        status: 200,
        body: { targetResource: target, state: 'Idle', blockClearances: [] },
      });
      const running = await create({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } });
      expect((await t.call('GET', `/targets/${encode(target)}`)).body).toMatchObject({
        state: 'Running',
        currentExecutionId: running.body.id,
      });
      await t.call('POST', `/executions/${running.body.id}/cancel`);
      expect(await t.call('GET', `/targets/${encode('a//b')}`)).toMatchObject({
        status: 400,
        body: { error: { code: 'ValidationError' } },
      });
    });

    it('POST /targets/{targetResource}/clearance: 200 clears a block and keeps it, by the caller; 409 when not blocked; 400 without why', async () => {
      const target = uniqueTarget();
      await create({ targetResource: target, workflowId: 'fail' });
      await t.settle();
      expect((await t.call('GET', `/targets/${encode(target)}`)).body).toMatchObject({
        state: 'Blocked',
        blockReason: 'PreviousExecutionFailed',
      });

      expect(await t.call('POST', `/targets/${encode(target)}/clearance`, { body: {} })).toMatchObject({ status: 400 });
      const cleared = await t.call('POST', `/targets/${encode(target)}/clearance`, {
        body: { reason: 'fixed the probe' },
      });
      const again = await t.call('POST', `/targets/${encode(target)}/clearance`, {
        body: { reason: 'twice' },
      });

      expect(cleared.status).toBe(200);
      expect(cleared.body.blockReason).toBeUndefined();
      expect(cleared.body.blockClearances).toEqual([
        { clearedAt: expect.any(String), clearedBy: 'token:local-admin', reason: 'fixed the probe' },
      ]);
      expect(again).toMatchObject({ status: 409, body: { error: { code: 'Conflict' } } });
    });
  });

  describe('workflows and routing', () => {
    it('GET /workflows lists the catalog with declared parameters and their types', async () => {
      const response = await t.call('GET', '/workflows');
      expect(response.status).toBe(200);
      expect(response.body.items).toContainEqual({
        id: 'wait',
        version: '1',
        description: expect.any(String),
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        parameters: [
          {
            name: 'SECONDS',
            required: false,
            description: expect.any(String),
            type: 'integer',
            default: '1',
            minimum: 0,
            maximum: 86400,
          },
        ],
        runnableLocally: true,
      });
      const one = await t.call('GET', '/workflows/wait');
      expect(one).toMatchObject({
        status: 200,
        body: { items: [response.body.items.find((w: { id: string }) => w.id === 'wait')] },
      });
      expect(await t.call('GET', '/workflows/no-such-workflow')).toMatchObject({
        status: 404,
        body: { error: { code: 'NotFound' } },
      });
      expect(response.body.items.map((w: { id: string }) => w.id)).toEqual(
        expect.arrayContaining(['noop', 'wait', 'fail', 'restart-ecs-service']),
      );
    });

    it('answers an unknown route with 404 and a wrong method with 405, in the error shape', async () => {
      expect(await t.call('GET', '/nothing-here')).toMatchObject({
        status: 404,
        body: { error: { code: 'NotFound' } },
      });
      expect(await t.call('DELETE', '/executions')).toMatchObject({
        status: 405,
        body: { error: { code: 'MethodNotAllowed' } },
      });
    });
  });
});
