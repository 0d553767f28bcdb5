// Regression tests for the defects found when Lockstep was attacked through its public
// surface (issue 9), end to end through local mode's real HTTP server.
import { request as httpRequest } from 'node:http';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

const encode = encodeURIComponent;

/** A request with headers exactly as given (fetch refuses some names), answered as status + parsed body. */
function rawRequest(
  url: string,
  method: string,
  headers: [string, string][],
): Promise<{ status: number; body: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    // Headers as a raw array go out exactly as given, so Host must be among them.
    const raw = [['host', target.host], ...headers].flat();
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: raw as unknown as Record<string, string>,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('trust: defects found by attacking the public surface', () => {
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

  /** Long runs are cancelled after each test, so that a failed test never leaves one for the next to wait on. */
  const longRuns: string[] = [];
  afterEach(async () => {
    for (const id of longRuns.splice(0)) await t.call('POST', `/executions/${id}/cancel`);
  });
  const create = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await t.call('POST', '/executions', { body, headers });
    if (response.status === 201 && body.workflowId === 'wait') longRuns.push(response.body.id);
    return response;
  };
  const list = async (query: string) => t.call('GET', `/executions?${query}`);

  describe('one target, one lock, whatever the spelling (Unicode NFC)', () => {
    it('refuses a second run on the same resource spelled with a combining accent, and shows one canonical target', async () => {
      const namespace = uniqueTarget().split('/')[0]!;
      const composed = `${namespace}/deployment/caf\u00e9`;
      const decomposed = `${namespace}/deployment/cafe\u0301`;

      const first = await create({ targetResource: composed, workflowId: 'wait', parameters: { SECONDS: '600' } });
      t.clock.advanceSeconds(1);
      const second = await create({ targetResource: decomposed, workflowId: 'wait', parameters: { SECONDS: '600' } });

      expect(first.status).toBe(201);
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({
        targetResource: composed,
        skipDetails: { reason: 'ResourceBusy', conflictingExecutionId: first.body.id },
      });
      expect((await t.call('GET', `/targets/${encode(decomposed)}`)).body).toMatchObject({
        targetResource: composed,
        state: 'Running',
        currentExecutionId: first.body.id,
      });
      const ids = (await list(`targetResource=${encode(decomposed)}`)).body.items.map((e: { id: string }) => e.id);
      expect(ids).toEqual([second.body.id, first.body.id]);
    });

    it('treats the Angstrom sign U+212B and the letter U+00C5 as one target', async () => {
      const namespace = uniqueTarget().split('/')[0]!;
      const first = await create({
        targetResource: `${namespace}/node/\u212Bngstr\u00f6m`,
        workflowId: 'wait',
        parameters: { SECONDS: '600' },
      });
      const second = await create({ targetResource: `${namespace}/node/\u00c5ngstro\u0308m`, workflowId: 'noop' });

      expect(second.status).toBe(409);
      expect(second.body.skipDetails).toMatchObject({ reason: 'ResourceBusy', conflictingExecutionId: first.body.id });
      expect(first.body.targetResource).toBe(`${namespace}/node/\u00c5ngstr\u00f6m`);
    });

    it('rejects an unpaired surrogate and an ARN spelled ARN: with a message, writing nothing', async () => {
      const lone = await t.call('POST', '/executions', {
        raw: '{"targetResource":"ns/deployment/a\\ud800b","workflowId":"noop"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(lone.status).toBe(400);
      expect(lone.body.error.message).toMatch(/surrogate/);

      const upper = await create({ targetResource: 'ARN:aws:iam::123456789012:role/ops', workflowId: 'noop' });
      expect(upper.status).toBe(400);
      expect(upper.body.error.message).toMatch(/arn:/);
      expect((await t.call('GET', `/targets/${encode('arn:aws:iam::123456789012:role/ops')}`)).body.state).toBe('Idle');
    });
  });

  describe('idempotency keys', () => {
    it('keeps two event sources apart when they use the same idempotencyKey', async () => {
      const [a, b] = [uniqueTarget('a'), uniqueTarget('b')];
      const key = `shared-${crypto.randomUUID()}`;
      const put = (source: string, targetResource: string) =>
        events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: 'lockstep',
                Source: source,
                DetailType: 'WorkflowExecution Requested',
                Detail: JSON.stringify({ targetResource, workflowId: 'noop', idempotencyKey: key }),
              },
            ],
          }),
        );

      await put('team.alerts', a);
      await put('team.operator', b);
      await t.settle();

      expect((await list(`targetResource=${encode(a)}`)).body.items).toEqual([
        expect.objectContaining({ requestedBy: 'event:team.alerts', phase: 'Completed' }),
      ]);
      expect((await list(`targetResource=${encode(b)}`)).body.items).toEqual([
        expect.objectContaining({ requestedBy: 'event:team.operator', phase: 'Completed' }),
      ]);
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
    ])('refuses an %s Idempotency-Key with 400 and writes nothing', async (_label, key) => {
      const target = uniqueTarget();
      const response = await t.call('POST', '/executions', {
        body: { targetResource: target, workflowId: 'noop' },
        headers: { 'idempotency-key': key },
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        code: 'ValidationError',
        details: [expect.stringMatching(/^header Idempotency-Key/)],
      });
      expect((await list(`targetResource=${encode(target)}`)).body.items).toEqual([]);
    });

    it.each([
      ['a tab', 'alert\t4711', 'must be only printable ASCII characters (U+0020–U+007E), found U+0009 at position 5'],
      [
        'a Latin-1 letter',
        'clé',
        'must be only printable ASCII characters (U+0020–U+007E), found U+00E9 at position 2',
      ],
      ['256 characters', 'k'.repeat(256), 'must be at most 255 characters, got 256'],
    ])('refuses an Idempotency-Key with %s, saying what is wrong with it', async (_label, key, problem) => {
      const target = uniqueTarget();
      const response = await t.call('POST', '/executions', {
        body: { targetResource: target, workflowId: 'noop' },
        headers: { 'idempotency-key': key },
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        code: 'ValidationError',
        details: [`header Idempotency-Key: ${problem}`],
      });
      expect((await list(`targetResource=${encode(target)}`)).body.items).toEqual([]);
    });
  });

  describe('no 5xx from input', () => {
    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
      'answers 400 to a query parameter named %s on every route, /health included',
      async (name) => {
        for (const path of [
          '/health',
          `/executions?targetResource=${encode(uniqueTarget())}&`,
          '/workflows',
          `/targets/${encode(uniqueTarget())}`,
        ]) {
          const url = `${path}${path.includes('?') ? '' : '?'}${name}=1`;
          const response = await t.call('GET', url);
          expect(response.status, url).toBe(400);
          expect(response.body.error).toMatchObject({
            code: 'ValidationError',
            details: [expect.stringMatching(new RegExp(`^query`))],
          });
        }
      },
    );

    it.each(['__proto__', 'constructor', 'toString'])(
      'answers 400 to a header named %s, before authentication',
      async (name) => {
        for (const path of ['/health', '/workflows']) {
          const response = await rawRequest(`${t.local.urls.api}${path}`, 'GET', [[name, 'x']]);
          expect(response.status, `${name} on ${path}: ${response.text}`).toBe(400);
          expect(response.body).toMatchObject({
            error: { code: 'ValidationError', details: [expect.stringMatching(/^header/)] },
          });
        }
      },
    );

    it('answers limit=1 on a target with an active run, and pages through it one by one', async () => {
      const target = uniqueTarget();
      const running = await create({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } });
      t.clock.advanceSeconds(1);
      const skipped = await create({ targetResource: target, workflowId: 'noop' });

      const first = await list(`targetResource=${encode(target)}&limit=1`);
      expect(first.status).toBe(200);
      expect(first.body.items.map((e: { id: string }) => e.id)).toEqual([skipped.body.id]);
      const second = await list(`targetResource=${encode(target)}&limit=1&nextToken=${encode(first.body.nextToken)}`);
      expect(second.status).toBe(200);
      expect(second.body.items.map((e: { id: string; phase: string }) => [e.id, e.phase])).toEqual([
        [running.body.id, 'Running'],
      ]);
    });

    it('refuses every nextToken it did not issue for the same query with 400, and issues tokens that do not show the table keys', async () => {
      const [target, other] = [uniqueTarget(), uniqueTarget()];
      for (const t0 of [target, other]) {
        for (let i = 0; i < 3; i++) {
          await create({ targetResource: t0, workflowId: 'noop' });
          await t.settle();
          t.clock.advanceSeconds(600);
        }
      }
      const page = await list(`targetResource=${encode(target)}&limit=1`);
      const token: string = page.body.nextToken;
      const otherToken: string = (await list(`targetResource=${encode(other)}&limit=1`)).body.nextToken;
      expect(Buffer.from(token, 'base64url').toString('latin1')).not.toMatch(/targetPK|targetSK|E#|T#|EXECUTION/);

      const flipped = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
      for (const bad of [
        token.slice(0, token.length - 5),
        flipped,
        'e30=',
        'e30',
        '!!!',
        'x'.repeat(5000),
        otherToken,
        Buffer.from('{"PK":"E#x","SK":"EXECUTION"}').toString('base64url'),
      ]) {
        const response = await list(`targetResource=${encode(target)}&limit=1&nextToken=${encode(bad)}`);
        expect(response.status, bad).toBe(400);
        expect(response.body.error).toMatchObject({ code: 'ValidationError' });
      }
      // A phase filter is another query: its pages are not this one's.
      expect(
        (await list(`targetResource=${encode(target)}&limit=1&phase=Completed&nextToken=${encode(token)}`)).status,
      ).toBe(400);
      expect((await list(`targetResource=${encode(target)}&limit=1&nextToken=${encode(token)}`)).status).toBe(200);
    });

    it.each(['0', '-1', '101', 'abc', '1.5', '', '1e400', '0x10', '1e1', '%2B5', '5.0', '%205'])(
      'refuses limit=%s with 400 labelled as a query parameter',
      async (limit) => {
        const response = await list(`targetResource=${encode(uniqueTarget())}&limit=${limit}`);
        expect(response.status).toBe(400);
        expect(response.body.error.details).toEqual([expect.stringMatching(/^query\.limit: /)]);
      },
    );
  });

  describe('listings while a target is held are exact', () => {
    it('lists each execution once, newest first, with its current phase, and filters phases exactly', async () => {
      const target = uniqueTarget();
      const done = await create({ targetResource: target, workflowId: 'noop' });
      await t.settle();
      t.clock.advanceSeconds(600);
      const running = await create({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } });
      t.clock.advanceSeconds(1);
      const busy = await create({ targetResource: target, workflowId: 'noop' });

      const all = (await list(`targetResource=${encode(target)}`)).body.items;
      expect(all.map((e: { id: string; phase: string }) => [e.id, e.phase])).toEqual([
        [busy.body.id, 'Skipped'],
        [running.body.id, 'Running'],
        [done.body.id, 'Completed'],
      ]);
      expect((await list(`targetResource=${encode(target)}&phase=Pending`)).body.items).toEqual([]);
      expect(
        (await list(`targetResource=${encode(target)}&phase=Running`)).body.items.map((e: { id: string }) => e.id),
      ).toEqual([running.body.id]);
      expect(
        (await list(`targetResource=${encode(target)}&phase=Skipped`)).body.items.map((e: { id: string }) => e.id),
      ).toEqual([busy.body.id]);

      const paged: string[] = [];
      let token: string | undefined;
      do {
        const page = await list(
          `targetResource=${encode(target)}&limit=1${token ? `&nextToken=${encode(token)}` : ''}`,
        );
        paged.push(...page.body.items.map((e: { id: string }) => e.id));
        token = page.body.nextToken;
      } while (token);
      expect(paged).toEqual([busy.body.id, running.body.id, done.body.id]);
    });
  });

  describe('the rest', () => {
    it('answers HEAD /health with 200 and no body', async () => {
      const response = await fetch(`${t.local.urls.api}/health`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    });

    it('labels body validation errors as the body', async () => {
      const response = await create({ targetResource: uniqueTarget(), workflowId: 'noop', timeoutSeconds: 0 });
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([expect.stringMatching(/^body\.timeoutSeconds: /)]);
    });
  });
});
