// Identity and roles (issue 20) end to end through local mode's real HTTP server, with a tokens file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, ROUTES, type Role, type RouteDefinition, roleAllows, routePath } from '../../../lib/contract/routes.js';
import type { LocalToken } from '../../../lib/handlers/authenticators.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';

const encode = encodeURIComponent;

/** One token per role, and two intermediaries (a requester bot and an operator chat integration). */
const TOKENS: LocalToken[] = [
  ...ROLES.map((role) => ({ name: role, token: `${role}-token-0123456789abcdefghij`, role })),
  { name: 'bot', token: 'bot-token-0123456789abcdefghijkl', role: 'requester', intermediary: true },
  { name: 'chat@ops', token: 'chat-token-0123456789abcdefghijk', role: 'operator', intermediary: true },
];
const tokenOf = (name: string) => TOKENS.find((entry) => entry.name === name)!.token;

describe('identity and roles through the HTTP server (LOCKSTEP_TOKENS_FILE)', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lockstep-tokens-')), 'tokens.json');
    writeFileSync(file, JSON.stringify(TOKENS));
    t = await startTestLocalMode({}, { tokensFile: file });
  });
  afterAll(() => t.local.stop());

  const as = (name: string) => ({ token: tokenOf(name) });
  const blockedTarget = async () => {
    const target = uniqueTarget('blocked');
    expect((await t.call('POST', '/executions', { body: { targetResource: target, workflowId: 'fail' } })).status).toBe(
      201,
    );
    await t.settle();
    expect((await t.call('GET', `/targets/${encode(target)}`)).body.state).toBe('Blocked');
    return target;
  };

  describe('GET /identity', () => {
    it.each(TOKENS)('answers who $name is: token:$name, its role, whether it is an intermediary', async (entry) => {
      expect(await t.call('GET', '/identity', as(entry.name))).toMatchObject({
        status: 200,
        body: { identity: `token:${entry.name}`, role: entry.role, intermediary: entry.intermediary ?? false },
      });
    });

    it('answers token:local-admin, admin, for the printed token; 401 without credentials', async () => {
      expect((await t.call('GET', '/identity')).body).toEqual({
        identity: 'token:local-admin',
        role: 'admin',
        intermediary: false,
      });
      expect((await t.call('GET', '/identity', { token: null })).status).toBe(401);
      expect((await t.call('GET', '/identity', { token: `${tokenOf('admin')}x` })).status).toBe(401);
    });
  });

  describe('roles', () => {
    it('refuses every route to each role below it: 403 naming the role needed, nothing written (listings before and after equal)', async () => {
      // Every execution of the hour around the test's clock (it stands still unless a test drives it).
      const since = new Date(t.clock.now().getTime() - 1_800_000).toISOString();
      const until = new Date(t.clock.now().getTime() + 1_800_000).toISOString();
      const blocked = await blockedTarget();
      const finished = await t.call('POST', '/executions', {
        body: { targetResource: uniqueTarget('finished'), workflowId: 'noop' },
      });
      await t.settle();
      const finishedId = finished.body.id as string;
      expect((await t.call('GET', `/executions/${finishedId}`)).body.phase).toBe('Completed');
      const fresh = uniqueTarget('fresh');

      // Everything a refused write could have changed.
      const snapshot = async () =>
        Promise.all(
          [
            `/targets/${encode(blocked)}`,
            `/targets/${encode(fresh)}`,
            `/executions?targetResource=${encode(blocked)}`,
            `/executions?targetResource=${encode(fresh)}`,
            `/executions?since=${encode(since)}&until=${encode(until)}&limit=100`,
            `/executions/${finishedId}`,
            `/executions/${finishedId}/events`,
            '/targets?state=Blocked&limit=100',
          ].map(async (path) => (await t.call('GET', path)).body),
        );
      const before = await snapshot();

      // Every route of the table, the ones still to come included: the check is the table's, not a list here.
      const paramsFor = (route: RouteDefinition): Record<string, string> =>
        route.path.startsWith('/targets/{target+}')
          ? { target: route.method === 'POST' ? blocked : fresh }
          : { id: route.path.startsWith('/workflows') ? 'noop' : finishedId };
      const bodies: Partial<Record<string, unknown>> = {
        '/executions': { targetResource: fresh, workflowId: 'noop' },
        '/targets/{target+}/clearance': { reason: 'not allowed to' },
      };
      const refusals: string[] = [];
      for (const route of Object.values(ROUTES) as RouteDefinition[]) {
        if (route.role === 'none') continue;
        for (const role of ROLES.filter((have) => !roleAllows(have, route.role as Role))) {
          const response = await t.call(route.method, routePath(route.path, paramsFor(route)), {
            ...as(role),
            ...(route.method === 'POST' && { body: bodies[route.path] ?? {} }),
          });
          expect(response.status, `${role} ${route.method} ${route.path}: ${JSON.stringify(response.body)}`).toBe(403);
          expect(response.body.error.code).toBe('Forbidden');
          expect(response.body.error.message).toBe(
            `${route.role} role needed to ${route.method} ${route.path}; token:${role} is ${role === 'operator' || role === 'admin' ? 'an' : 'a'} ${role}`,
          );
          refusals.push(`${role} ${route.method} ${route.path}`);
        }
      }
      // Each write route refused at least to the reader: a reader's cancel of a finished execution is 403, not 409.
      expect(refusals).toEqual(
        expect.arrayContaining([
          'reader POST /executions',
          'reader POST /executions/{id}/cancel',
          'requester POST /executions/{id}/cancel',
          'reader POST /targets/{target+}/clearance',
          'requester POST /targets/{target+}/clearance',
        ]),
      );
      expect(await snapshot()).toEqual(before);
    });

    it('lets each role do what it may: a reader reads, a requester requests, an operator cancels and clears', async () => {
      expect((await t.call('GET', '/workflows', as('reader'))).status).toBe(200);
      const target = uniqueTarget();
      const requested = await t.call('POST', '/executions', {
        ...as('requester'),
        body: { targetResource: target, workflowId: 'wait', parameters: { SECONDS: '60' } },
      });
      expect(requested.status).toBe(201);
      expect((await t.call('POST', `/executions/${requested.body.id}/cancel`, as('operator'))).status).toBe(202);
      const blocked = await blockedTarget();
      expect(
        (await t.call('POST', `/targets/${encode(blocked)}/clearance`, { ...as('operator'), body: { reason: 'ok' } }))
          .status,
      ).toBe(200);
    });

    it('checks the role before reading anything: a reader asking to cancel an execution that does not exist is 403, not 404', async () => {
      const response = await t.call('POST', '/executions/no-such-execution/cancel', as('reader'));
      expect(response).toMatchObject({ status: 403, body: { error: { code: 'Forbidden' } } });
    });
  });

  describe('the identity on every decision', () => {
    it('records the requester: requestedBy and the selection event actor are token:<name>, never a body field', async () => {
      const target = uniqueTarget();
      const response = await t.call('POST', '/executions', {
        ...as('requester'),
        body: { targetResource: target, workflowId: 'noop' },
      });
      expect(response.status).toBe(201);
      expect(response.body.requestedBy).toBe('token:requester');
      expect(response.body.onBehalfOf).toBeUndefined();
      await t.settle();
      const events = (await t.call('GET', `/executions/${response.body.id}/events`)).body.items;
      expect(events[0]).toMatchObject({ type: 'workflowexecution.selection.completed', actor: 'token:requester' });
      expect(events[0].payload.onBehalfOf).toBeUndefined();
    });

    it('records the clearer: clearedBy is the credentials, and the audit event on the blocking execution says so', async () => {
      const target = await blockedTarget();
      const blockedBy = (await t.call('GET', `/targets/${encode(target)}`)).body.lastExecutionId as string;
      const cleared = await t.call('POST', `/targets/${encode(target)}/clearance`, {
        ...as('operator'),
        body: { reason: 'probe fixed' },
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.blockClearances).toEqual([
        { clearedAt: expect.any(String), clearedBy: 'token:operator', reason: 'probe fixed' },
      ]);
      const events = (await t.call('GET', `/executions/${blockedBy}/events`)).body.items;
      expect(events.at(-1)).toMatchObject({
        type: 'workflowexecution.block.cleared',
        actor: 'token:operator',
        payload: { reason: 'probe fixed' },
      });
      expect(events.at(-1).payload.onBehalfOf).toBeUndefined();
    });

    it('refuses the former clearedBy field with 400 saying the clearer comes from the credentials, and clears nothing', async () => {
      const target = await blockedTarget();
      for (const clearedBy of ['alice', '', null, { name: 'alice' }]) {
        const response = await t.call('POST', `/targets/${encode(target)}/clearance`, {
          ...as('chat@ops'),
          body: { clearedBy, reason: 'fixed' },
        });
        expect(response.status).toBe(400);
        expect(response.body.error).toMatchObject({ code: 'ValidationError' });
        expect(response.body.error.message).toMatch(/taken from the credentials/);
        expect(response.body.error.message).toMatch(/onBehalfOf/);
      }
      expect((await t.call('GET', `/targets/${encode(target)}`)).body.state).toBe('Blocked');
    });

    it('uses the identity in the idempotency scope: one key from two identities is two requests', async () => {
      const key = `key-${uniqueTarget('k')}`;
      const first = await t.call('POST', '/executions', {
        ...as('requester'),
        headers: { 'idempotency-key': key },
        body: { targetResource: uniqueTarget(), workflowId: 'noop' },
      });
      const second = await t.call('POST', '/executions', {
        ...as('bot'),
        headers: { 'idempotency-key': key },
        body: { targetResource: uniqueTarget(), workflowId: 'noop' },
      });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.id).not.toBe(first.body.id);
      expect(second.body.requestedBy).toBe('token:bot');
    });
  });

  describe('onBehalfOf', () => {
    it("stores an intermediary's onBehalfOf on the execution and in its selection event", async () => {
      const response = await t.call('POST', '/executions', {
        ...as('bot'),
        body: { targetResource: uniqueTarget(), workflowId: 'noop', onBehalfOf: 'alice@example.com' },
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ requestedBy: 'token:bot', onBehalfOf: 'alice@example.com' });
      await t.settle();
      expect((await t.call('GET', `/executions/${response.body.id}`)).body.onBehalfOf).toBe('alice@example.com');
      const events = (await t.call('GET', `/executions/${response.body.id}/events`)).body.items;
      expect(events[0]).toMatchObject({ actor: 'token:bot', payload: { onBehalfOf: 'alice@example.com' } });
    });

    it("stores an intermediary's onBehalfOf in the clearance and its audit event's payload", async () => {
      const target = await blockedTarget();
      const blockedBy = (await t.call('GET', `/targets/${encode(target)}`)).body.lastExecutionId as string;
      const cleared = await t.call('POST', `/targets/${encode(target)}/clearance`, {
        ...as('chat@ops'),
        body: { reason: 'approved in #ops', onBehalfOf: 'Ana Lúcia' },
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.blockClearances).toEqual([
        {
          clearedAt: expect.any(String),
          clearedBy: 'token:chat@ops',
          onBehalfOf: 'Ana Lúcia',
          reason: 'approved in #ops',
        },
      ]);
      const events = (await t.call('GET', `/executions/${blockedBy}/events`)).body.items;
      expect(events.at(-1)).toMatchObject({
        type: 'workflowexecution.block.cleared',
        actor: 'token:chat@ops',
        payload: { onBehalfOf: 'Ana Lúcia', reason: 'approved in #ops' },
      });
    });

    it('refuses onBehalfOf from anyone not an intermediary on every route with a body, however the key is spelt, writing nothing', async () => {
      const target = await blockedTarget();
      const fresh = uniqueTarget();
      const escaped = (body: Record<string, unknown>) =>
        JSON.stringify(body).replace('"onBehalfOf"', '"onBehalf\\u004ff"');
      const cases: [string, string, string, Record<string, unknown>][] = [
        ['requester', 'POST', '/executions', { targetResource: fresh, workflowId: 'noop', onBehalfOf: 'alice' }],
        ['admin', 'POST', '/executions', { targetResource: fresh, workflowId: 'noop', onBehalfOf: 'alice' }],
        [TEST_TOKEN, 'POST', '/executions', { targetResource: fresh, workflowId: 'noop', onBehalfOf: '' }],
        ['operator', 'POST', `/targets/${encode(target)}/clearance`, { reason: 'x', onBehalfOf: 'alice' }],
        // Refused for onBehalfOf before the body's other faults are looked at.
        ['operator', 'POST', `/targets/${encode(target)}/clearance`, { onBehalfOf: 'alice' }],
      ];
      for (const [who, method, path, body] of cases) {
        const token = who === TEST_TOKEN ? TEST_TOKEN : tokenOf(who);
        for (const raw of [JSON.stringify(body), escaped(body)]) {
          const response = await t.call(method, path, {
            token,
            raw,
            headers: { 'content-type': 'application/json' },
          });
          expect(response.status, `${who} ${path} ${raw}`).toBe(403);
          expect(response.body.error.code).toBe('Forbidden');
          expect(response.body.error.message).toMatch(/only an intermediary may send onBehalfOf/);
        }
      }
      expect((await t.call('GET', `/executions?targetResource=${encode(fresh)}`)).body.items).toEqual([]);
      expect((await t.call('GET', `/targets/${encode(target)}`)).body).toMatchObject({
        state: 'Blocked',
        blockClearances: [],
      });
    });

    it('refuses a bad onBehalfOf from an intermediary with 400 (1 to 256 printable characters)', async () => {
      for (const onBehalfOf of ['', 'a'.repeat(257), 'alice\nbob', 42]) {
        const response = await t.call('POST', '/executions', {
          ...as('bot'),
          body: { targetResource: uniqueTarget(), workflowId: 'noop', onBehalfOf },
        });
        expect(response.status, JSON.stringify(onBehalfOf)).toBe(400);
      }
    });
  });
});
