import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../lib/adapters/dynamodb/dynamodb-store.js';
import { ValidationError } from '../../../lib/domain/errors.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

describe("listing a target's executions", () => {
  let store: DynamoDbStore;
  beforeAll(async () => {
    ({ store } = await createTestStore());
  });

  it('lists newest first across pages, with the Pending holder on the first page', async () => {
    const driver = new Driver(store, new ManualClock(), { ...DEFAULT_POLICY, cooldownSeconds: 10 });
    const target = uniqueTarget();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await driver.runToCompletion(target)).execution.id);
      driver.clock.advanceSeconds(1);
      ids.push((await driver.admit(target)).record.execution.id); // Skipped: cooling down
      driver.clock.advanceSeconds(10);
    }
    ids.push((await driver.admitted(target)).execution.id); // Pending: only on the target so far
    const newestFirst = [...ids].reverse();

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await store.listExecutions({ targetResource: target, limit: 3, nextToken });
      pages.push(page.items.map((e) => e.id));
      nextToken = page.nextToken;
    } while (nextToken);

    expect(pages.flat()).toEqual(newestFirst);
    expect(pages[0]).toHaveLength(3);
  });

  it('filters by phase', async () => {
    const driver = new Driver(store, new ManualClock(), { ...DEFAULT_POLICY, cooldownSeconds: 60 });
    const target = uniqueTarget();
    const done = await driver.runToCompletion(target);
    const skipped = await driver.admit(target);

    const completed = await store.listExecutions({ targetResource: target, phase: 'Completed', limit: 10 });
    const skips = await store.listExecutions({ targetResource: target, phase: 'Skipped', limit: 10 });

    expect(completed.items.map((e) => e.id)).toEqual([done.execution.id]);
    expect(skips.items.map((e) => e.id)).toEqual([skipped.record.execution.id]);
  });

  it('rejects a page token it did not issue', async () => {
    await expect(
      store.listExecutions({ targetResource: uniqueTarget(), limit: 5, nextToken: 'not-a-token' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
