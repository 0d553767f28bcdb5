import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../lib/adapters/dynamodb/dynamodb-store.js';
import { pageTokensFor } from '../../../lib/adapters/dynamodb/page-tokens.js';
import { STANDING_SHARDS } from '../../../lib/adapters/dynamodb/table-definition.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import type { TargetState } from '../../../lib/domain/target.js';
import type { ListTargetsInput } from '../../../lib/ports/index.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

const policy = {
  ...DEFAULT_POLICY,
  cooldownSeconds: 300,
  backoffBaseSeconds: 60,
  backoffMaxSeconds: 600,
  maxConsecutiveFailures: 3,
};

/** Targets by state: written with the transitions they describe, sharded, exact at the moment of the query. */
describe('targets by state (the sharded active index)', () => {
  let driver: Driver;
  let clock: ManualClock;
  let store: DynamoDbStore;
  let meter: Awaited<ReturnType<typeof createTestStore>>['meter'];
  let setup: Awaited<ReturnType<typeof createTestStore>>;
  beforeAll(async () => {
    setup = await createTestStore();
    ({ store, meter } = setup);
    clock = new ManualClock();
    driver = new Driver(store, clock, policy);
  });

  /** Every target in `state` now, page after page of `limit`, each page checked to hold no target twice. */
  async function all(state: ListTargetsInput['state'], limit = 100): Promise<string[]> {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await store.listTargets({ state, at: clock.now(), limit, ...(nextToken && { nextToken }) });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items.map((t: TargetState) => t.targetResource));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(new Set(seen).size).toBe(seen.length);
    return seen.sort();
  }

  it('lists each target in exactly the state targetView gives it, as transitions move it, and a window only while it is open', async () => {
    const running = uniqueTarget('running');
    const blocked = uniqueTarget('blocked');
    const cooling = uniqueTarget('cooling');
    const backing = uniqueTarget('backing');
    await driver.start(await driver.admitted(running));
    const failing = await driver.admitted(blocked);
    await driver.start(failing);
    await driver.fail(failing.execution.id, 'TaskFailed', true);
    await driver.runToCompletion(cooling);
    await driver.failBeforeStart(backing);

    const mine = (list: string[]) => list.filter((t) => [running, blocked, cooling, backing].includes(t));
    expect(mine(await all('Running'))).toEqual([running]);
    expect(mine(await all('Blocked'))).toEqual([blocked]);
    expect(mine(await all('CoolingDown'))).toEqual([cooling]);
    expect(mine(await all('BackingOff'))).toEqual([backing]);

    // The backoff (60 s) closes first, then the cooldown (300 s): each drops out the moment it ends, with no write.
    clock.advanceSeconds(60);
    expect(mine(await all('BackingOff'))).toEqual([]);
    clock.advanceSeconds(239);
    expect(mine(await all('CoolingDown'))).toEqual([cooling]);
    clock.advanceSeconds(1);
    expect(mine(await all('CoolingDown'))).toEqual([]);

    // Clearing the block leaves the failed run's cooldown: the target moves from Blocked to CoolingDown, or to nothing once that has passed.
    await store.clearBlock({ targetResource: blocked, clearedBy: 'alice', reason: 'fixed', at: clock.now() });
    expect(mine(await all('Blocked'))).toEqual([]);
    const everywhere = [
      ...(await all('Blocked')),
      ...(await all('CoolingDown')),
      ...(await all('BackingOff')),
      ...(await all('Running')),
    ];
    expect(everywhere).not.toContain(blocked);
  });

  it('pages through many targets spread over every shard without repeating or losing one', async () => {
    const targets = Array.from({ length: 45 }, () => uniqueTarget('many'));
    await Promise.all(targets.map(async (t) => driver.start(await driver.admitted(t))));
    const listed = (await all('Running', 7)).filter((t) => targets.includes(t));
    expect(listed).toEqual([...targets].sort());
  });

  it('reads in proportion to the answer, not to history: 200 targets whose backoff has closed beside 3 blocked ones', async () => {
    const history = Array.from({ length: 200 }, () => uniqueTarget('history'));
    for (let i = 0; i < history.length; i += 50) {
      await Promise.all(history.slice(i, i + 50).map(async (t) => driver.failBeforeStart(t)));
    }
    // Their backoff has closed: they are idle now, whatever the index still says of them.
    clock.advanceSeconds(3_600);
    const blocked = Array.from({ length: 3 }, () => uniqueTarget('few'));
    for (const t of blocked) {
      const record = await driver.admitted(t);
      await driver.start(record);
      await driver.fail(record.execution.id, 'TaskFailed', true);
    }
    let mark = meter.position();
    const answer = (await all('Blocked')).filter((t) => blocked.includes(t));
    expect(answer).toEqual([...blocked].sort());
    // One query per shard, each returning only what is blocked now.
    expect(meter.since(mark)).toMatchObject({ requests: STANDING_SHARDS, itemsRead: blocked.length });
    // The 200 closed backoff windows are still in the index, and the key condition reads none of them.
    mark = meter.position();
    expect((await all('BackingOff')).filter((t) => history.includes(t))).toEqual([]);
    expect(meter.since(mark)).toMatchObject({ requests: STANDING_SHARDS, itemsRead: 0 });
    // A bound against a hang, not a speed check: 200 × four writes took 3 s alone and over 100 s beside a full run.
  }, 300_000);

  it('refuses a token whose fingerprint is right but whose position is not one the listing gives (400, not a 500 from DynamoDB)', async () => {
    // Signed with the table's own key: only the position's shape is wrong.
    const tokens = await pageTokensFor(setup.client, setup.tableName);
    for (const [state, position] of [
      ['Blocked', ''],
      ['Running', '../x'],
      ['CoolingDown', 'T#abc'],
      ['BackingOff', '9999#x'],
    ] as const) {
      const forged = tokens.encode(`targets ${state}`, ['0', position]);
      await expect(store.listTargets({ state, at: clock.now(), limit: 1, nextToken: forged })).rejects.toThrow(
        /is not a token this API issued/,
      );
    }
  });

  it('refuses a page token from another state', async () => {
    const many = Array.from({ length: 3 }, () => uniqueTarget('token'));
    await Promise.all(many.map(async (t) => driver.start(await driver.admitted(t))));
    const page = await store.listTargets({ state: 'Running', at: clock.now(), limit: 1 });
    expect(page.nextToken).toBeDefined();
    await expect(
      store.listTargets({ state: 'Blocked', at: clock.now(), limit: 1, nextToken: page.nextToken! }),
    ).rejects.toThrow(/another query/);
  });
});
