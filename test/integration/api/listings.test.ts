import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

const encode = encodeURIComponent;

/** The listings across targets, end to end through the real HTTP server of local mode. */
describe('listings across targets, through the HTTP API', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    t = await startTestLocalMode({ cooldownSeconds: 120, backoffBaseSeconds: 30, maxConsecutiveFailures: 3 });
  });
  afterAll(() => t.local.stop());

  const create = (targetResource: string, workflowId: string, parameters?: Record<string, string>) =>
    t.call('POST', '/executions', { body: { targetResource, workflowId, ...(parameters && { parameters }) } });
  const targetsIn = async (state: string) => {
    const items: { targetResource: string; state: string; currentExecutionId?: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.call(
        'GET',
        `/targets?state=${state}&limit=2${nextToken ? `&nextToken=${encode(nextToken)}` : ''}`,
      );
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      nextToken = page.body.nextToken;
    } while (nextToken);
    return items;
  };

  it('lists the targets in each state, each as the target object, and a cooldown only while it is open', async () => {
    const running = uniqueTarget('running');
    const blocked = uniqueTarget('blocked');
    const cooling = uniqueTarget('cooling');
    await create(blocked, 'fail');
    await create(cooling, 'noop');
    await t.settle();
    // Started last: a run that waits an hour never lets the endpoints settle.
    expect((await create(running, 'wait', { SECONDS: '3600' })).status).toBe(201);

    const state = async (name: string, target: string) =>
      (await targetsIn(name)).find((item) => item.targetResource === target);
    expect(await state('Running', running)).toMatchObject({ state: 'Running', currentExecutionId: expect.any(String) });
    expect(await state('Blocked', blocked)).toMatchObject({ state: 'Blocked', blockReason: 'PreviousExecutionFailed' });
    expect(await state('CoolingDown', cooling)).toMatchObject({
      state: 'CoolingDown',
      cooldownRemainingSeconds: expect.any(Number),
    });
    for (const other of ['Blocked', 'CoolingDown', 'BackingOff']) expect(await state(other, running)).toBeUndefined();

    t.clock.advanceSeconds(121);
    expect(await state('CoolingDown', cooling)).toBeUndefined();
    expect((await t.call('GET', `/targets/${encode(cooling)}`)).body.state).toBe('Idle');
    expect(
      (await t.call('POST', `/executions/${(await state('Running', running))!.currentExecutionId}/cancel`)).status,
    ).toBe(202);
  });

  it.each([
    ['no state', '/targets'],
    ['Idle, which every unknown target is', '/targets?state=Idle'],
    ['an unknown state', '/targets?state=Sleeping'],
    ['a limit out of range', '/targets?state=Blocked&limit=101'],
    ['a token it did not issue', '/targets?state=Blocked&nextToken=abc'],
    ['an unknown parameter', '/targets?state=Blocked&sort=name'],
  ])('refuses %s with 400 ValidationError', async (_label, path) => {
    const response = await t.call('GET', path);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
  });

  it('lists executions across targets: the active ones, and a window newest first with filters, each the execution object', async () => {
    const since = t.clock.now().toISOString();
    t.clock.advanceSeconds(1);
    const a = uniqueTarget('across');
    const b = uniqueTarget('across');
    const first = (await create(a, 'noop')).body;
    t.clock.advanceSeconds(1);
    const second = (await create(b, 'fail')).body;
    await t.settle();
    t.clock.advanceSeconds(1);
    const running = (await create(uniqueTarget('across'), 'wait', { SECONDS: '3600' })).body;

    const window = await t.call('GET', `/executions?since=${encode(since)}&limit=100`);
    expect(window.status).toBe(200);
    const ids = window.body.items.map((e: { id: string }) => e.id);
    expect(ids.filter((id: string) => [first.id, second.id, running.id].includes(id))).toEqual([
      running.id,
      second.id,
      first.id,
    ]);
    expect(window.body.items.find((e: { id: string }) => e.id === second.id)).toMatchObject({
      phase: 'Failed',
      workflowId: 'fail',
      targetResource: b,
    });
    const failed = await t.call('GET', `/executions?since=${encode(since)}&phase=Failed&workflowId=fail`);
    expect(failed.body.items.map((e: { id: string }) => e.id)).toEqual([second.id]);

    const active = await t.call('GET', '/executions?phase=Running');
    expect(active.body.items.map((e: { id: string }) => e.id)).toContain(running.id);
    expect(active.body.items.every((e: { phase: string }) => e.phase === 'Running')).toBe(true);
    expect((await t.call('POST', `/executions/${running.id}/cancel`)).status).toBe(202);
  });

  it('pages a window across targets newest first without a repeat or a gap while new executions keep arriving', async () => {
    const since = t.clock.now().toISOString();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      t.clock.advanceSeconds(1);
      made.push((await create(uniqueTarget('paged'), 'noop')).body.id);
    }
    await t.settle();
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.call(
        'GET',
        `/executions?since=${encode(since)}&workflowId=noop&limit=2${nextToken ? `&nextToken=${encode(nextToken)}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      nextToken = page.body.nextToken;
      // Written between pages: newer than every position already returned, so on no later page.
      t.clock.advanceSeconds(1);
      await create(uniqueTarget('paged-meanwhile'), 'noop');
    } while (nextToken);
    expect(seen).toEqual([...made].reverse());
  });

  it.each([
    ['no target, no window, no active phase', '/executions'],
    ['a finished phase without a window', '/executions?phase=Completed'],
    ['until without since', '/executions?until=2026-11-25T00:00:00Z&phase=Running'],
    ['a window of more than 31 days', '/executions?since=2026-01-01T00:00:00Z&until=2026-03-01T00:00:00Z'],
    ['an empty window', '/executions?since=2026-03-01T00:00:00Z&until=2026-03-01T00:00:00Z'],
    ['a time that is not RFC 3339', '/executions?since=yesterday'],
    ['a date that does not exist', '/executions?since=2026-02-30T00:00:00Z&until=2026-03-02T00:00:00Z'],
    ['a time without a zone', '/executions?since=2026-03-01T00:00:00'],
    ['a window with a target', `/executions?targetResource=a%2Fb&since=2026-03-01T00:00:00Z`],
    ['a workflow filter with a target', `/executions?targetResource=a%2Fb&workflowId=noop`],
    ['a window one millisecond over 31 days', '/executions?since=2020-01-01T00:00:00Z&until=2020-02-01T00:00:00.001Z'],
    ['a parameter given twice', '/executions?phase=Running&phase=Pending'],
    ['an invalid value hidden behind a valid one', '/executions?phase=bogus&phase=Running'],
    ['a query on a route that takes none', '/workflows?foo=1'],
    [
      'a token from another window',
      '/executions?since=2026-03-01T00:00:00Z&until=2026-03-02T00:00:00Z&nextToken=WzEsImFiYyIsIngiXQ',
    ],
  ])('refuses %s with 400 ValidationError', async (_label, path) => {
    const response = await t.call('GET', path);
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
  });

  it('lists every execution admitted before the request, while each starts and ends during the listing', async () => {
    const since = t.clock.now().toISOString();
    const admitted: string[] = [];
    for (let i = 0; i < 60; i++) {
      t.clock.advanceSeconds(1);
      const created = await create(uniqueTarget('racing'), 'noop');
      expect(created.status).toBe(201);
      admitted.push(created.body.id);
      // Right after the answer the run starts and ends while this listing reads: Pending, Running or done, it is listed.
      const listed = await t.call('GET', `/executions?since=${encode(since)}&limit=100`);
      expect(listed.status).toBe(200);
      expect((listed.body.items as { id: string }[]).map((e) => e.id)).toEqual(expect.arrayContaining(admitted));
    }
  });

  it('takes a window of exactly 31 days, and the last 31 days computed a moment earlier on the caller’s clock', async () => {
    expect((await t.call('GET', '/executions?since=2020-01-01T00:00:00Z&until=2020-02-01T00:00:00Z')).status).toBe(200);
    const callerSince = new Date(t.clock.now().getTime() - 31 * 86_400_000 - 1_500).toISOString();
    expect((await t.call('GET', `/executions?since=${encode(callerSince)}`)).status).toBe(200);
  });

  it('says which state it takes when given one it does not, and that one is required when none is given', async () => {
    expect((await t.call('GET', '/targets?state=Idle')).body.error.details).toEqual([
      expect.stringMatching(
        /^query\.state: must be: one of Running, AwaitingApproval, Blocked, CoolingDown, BackingOff/,
      ),
    ]);
    expect((await t.call('GET', '/targets')).body.error.details).toEqual([
      expect.stringMatching(/^query\.state: state is required/),
    ]);
    expect((await t.call('GET', '/targets?state=Blocked&state=Idle')).body.error.details).toEqual([
      'query.state: given more than once',
    ]);
    expect((await t.call('GET', '/health?probe=1')).status).toBe(200);
  });

  it('refuses a token whose position was altered, even with its fingerprint and format intact: tokens are signed', async () => {
    const since = t.clock.now().toISOString();
    for (let i = 0; i < 2; i++) {
      t.clock.advanceSeconds(1);
      await create(uniqueTarget('signed'), 'noop');
    }
    const first = await t.call('GET', `/executions?since=${encode(since)}&limit=1`);
    const [payload, signature] = (first.body.nextToken as string).split('.');
    const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as string[];
    decoded[decoded.length - 1] = decoded.at(-1)!.replace(/^\d{4}/, '2099');
    const altered = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`;
    const refused = await t.call('GET', `/executions?since=${encode(since)}&limit=1&nextToken=${encode(altered)}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual(['query.nextToken: it was altered']);
    expect(
      (await t.call('GET', `/executions?since=${encode(since)}&limit=1&nextToken=${encode(first.body.nextToken)}`))
        .status,
    ).toBe(200);
  });
});
