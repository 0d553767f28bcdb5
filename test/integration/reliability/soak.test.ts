import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSweeperHandler } from '../../../lib/handlers/sweeper-handler.js';
import type { DeliveredEvent } from '../../../lib/local/eventbridge/local-event-bus.js';
import { checkInvariants } from '../../support/invariants.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

const REQUESTS = 5_000;
const CONCURRENCY = 16;
/** The soak stops issuing requests at this bound, whatever happens; the test then fails if it did not finish. */
const TIME_BOUND_MS = 120_000;

/** A seeded generator, so that a failing soak can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('soak: 5,000 mixed requests through local mode', () => {
  let t: TestLocalMode;
  const statusEvents: DeliveredEvent[] = [];
  beforeAll(async () => {
    // No cooldown, so that hot targets are contended again and again.
    t = await startTestLocalMode({ cooldownSeconds: 0 });
    t.local.bus.addRule({
      name: 'collect-status',
      eventBusName: 'default',
      pattern: { source: ['aws.states'] },
      target: async (event) => void statusEvents.push(event),
    });
  });
  afterAll(() => t.local.stop());

  it('never answers 5xx, and leaves every invariant intact and nothing locked', async () => {
    const seed = Number(process.env.SOAK_SEED ?? 20261124);
    const next = random(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const hot = Array.from({ length: 5 }, (_, i) => `soak/deployment/hot-${i}`);
    const many = Array.from({ length: 400 }, (_, i) => `soak/deployment/app-${i}`);
    const ids: string[] = [];
    const statuses = new Map<number, number>();

    // `wait` declares SECONDS; noop declares nothing, and an undeclared parameter is a 400.
    const quick = (workflowId: string, seconds: string) => ({
      workflowId,
      ...(workflowId === 'wait' && { parameters: { SECONDS: seconds } }),
    });
    const actions: [number, () => Promise<{ status: number }>][] = [
      [
        35,
        () =>
          t.call('POST', '/executions', {
            body: { targetResource: pick(hot), ...quick(pick(['noop', 'noop', 'wait']), '0') },
          }),
      ],
      [
        20,
        () =>
          t.call('POST', '/executions', {
            body: { targetResource: pick(many), ...quick(pick(['noop', 'wait']), pick(['0', '1'])) },
          }),
      ],
      [
        8,
        () =>
          t.call('POST', '/executions', {
            body: {
              targetResource: pick([...hot, ...many]),
              workflowId: 'fail',
              parameters: { ERROR: pick(['TaskFailed', 'States.Timeout', 'States.Runtime']) },
            },
          }),
      ],
      [8, async () => (ids.length ? t.call('POST', `/executions/${pick(ids)}/cancel`) : { status: 0 })],
      [
        7,
        () =>
          t.call('POST', `/targets/${encodeURIComponent(pick([...hot, ...many]))}/clearance`, {
            body: { reason: 'soak clears blocks' },
          }),
      ],
      [
        6,
        () =>
          t.call(
            'GET',
            pick([
              `/targets/${encodeURIComponent(pick(hot))}`,
              `/executions?targetResource=${encodeURIComponent(pick(hot))}&limit=5`,
              `/executions/${ids.length ? pick(ids) : 'none'}`,
            ]),
          ),
      ],
      [
        6,
        async () => {
          if (statusEvents.length) t.local.bus.publish(pick(statusEvents), 'default'); // duplicated, and out of order (the bus keeps only recent events for redeliver)
          return { status: 0 };
        },
      ],
      [
        10,
        () =>
          pick([
            () =>
              t.call('POST', '/executions', {
                raw: '{"targetResource": ',
                headers: { 'content-type': 'application/json' },
              }),
            () => t.call('POST', '/executions', { body: { targetResource: 'bad//target', workflowId: 'noop' } }),
            () =>
              t.call('POST', '/executions', { body: { targetResource: pick(hot), workflowId: 'no-such-workflow' } }),
            () =>
              t.call('POST', '/executions', { body: { targetResource: pick(hot), workflowId: 'noop' }, token: null }),
            () => t.call('DELETE', '/executions'),
            () => t.call('POST', '/executions', { raw: 'text', headers: { 'content-type': 'text/plain' } }),
          ])(),
      ],
    ];
    const total = actions.reduce((sum, [weight]) => sum + weight, 0);
    const choose = () => {
      let roll = next() * total;
      for (const [weight, action] of actions) if ((roll -= weight) < 0) return action;
      return actions[0]![1];
    };

    const started = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < REQUESTS && performance.now() - started < TIME_BOUND_MS) {
          sent++;
          const response = (await choose()()) as { status: number; body?: { id?: string } };
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 201 && response.body?.id) ids.push(response.body.id);
        }
      }),
    );
    const elapsed = performance.now() - started;

    await t.settle();
    t.clock.advanceSeconds(t.local.runtime.engine.policy.startGraceSeconds);
    await createSweeperHandler({ engine: t.local.runtime.engine })();
    await t.settle();

    console.log(
      `soak (seed ${seed}): ${sent} requests in ${(elapsed / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ${statusEvents.length} status events`,
    );
    expect(sent).toBe(REQUESTS);
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    expect(statuses.get(201)).toBeGreaterThan(100);
    expect(statuses.get(409)).toBeGreaterThan(100);
    const report = await checkInvariants(t.local.runtime.clients.dynamodb, t.tableName, { expectSettled: true });
    expect(report.violations).toEqual([]);
    expect(report.executions).toBeGreaterThan(1000);
    expect(
      (await t.local.runtime.engine.store.listTargets({ state: 'Running', at: new Date(), limit: 100 })).items,
    ).toEqual([]);
    // 5,000 requests take about a minute; the soak project runs alone, after the others (vitest.config.ts).
  }, 240_000);
});
