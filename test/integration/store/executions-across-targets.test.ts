import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { executionItem } from '../../../lib/adapters/dynamodb/items.js';
import { CREATED_SHARDS, STANDING_SHARDS } from '../../../lib/adapters/dynamodb/table-definition.js';
import type { Execution, ExecutionRecord } from '../../../lib/domain/execution.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import type { ExecutionStore, Page } from '../../../lib/ports/index.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, request, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

/** Executions across targets: the active ones, and those created in a time window, exact and in proportion to the answer. */
describe('executions across targets', () => {
  let store: ExecutionStore;
  let driver: Driver;
  let clock: ManualClock;
  let setup: Awaited<ReturnType<typeof createTestStore>>;
  beforeAll(async () => {
    setup = await createTestStore();
    store = setup.store;
    clock = new ManualClock();
    driver = new Driver(store, clock, { ...DEFAULT_POLICY, cooldownSeconds: 0 });
  });

  async function pages(next: (nextToken?: string) => Promise<Page<Execution>>): Promise<Execution[]> {
    const all: Execution[] = [];
    let nextToken: string | undefined;
    do {
      const page = await next(nextToken);
      all.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    return all;
  }

  it('lists the active executions across targets, each once and in its current phase, page by page', async () => {
    const pendingTargets = Array.from({ length: 4 }, () => uniqueTarget('pending'));
    const runningTargets = Array.from({ length: 5 }, () => uniqueTarget('running'));
    const pending = await Promise.all(pendingTargets.map((t) => driver.admitted(t)));
    const running = await Promise.all(runningTargets.map(async (t) => driver.start(await driver.admitted(t))));
    await driver.runToCompletion(uniqueTarget('done'));

    const ids = (list: Execution[]) => list.map((e) => e.id).sort();
    const active = await pages((nextToken) =>
      store.listActiveExecutions({ limit: 2, ...(nextToken && { nextToken }) }),
    );
    expect(ids(active.filter((e) => [...pendingTargets, ...runningTargets].includes(e.targetResource)))).toEqual(
      ids([...pending, ...running].map((r) => r.execution)),
    );
    const runningOnly = await pages((nextToken) =>
      store.listActiveExecutions({ phase: 'Running', limit: 3, ...(nextToken && { nextToken }) }),
    );
    expect(runningOnly.every((e) => e.phase === 'Running')).toBe(true);
    expect(ids(runningOnly.filter((e) => runningTargets.includes(e.targetResource)))).toEqual(
      ids(running.map((r) => r.execution)),
    );
    const pendingOnly = await pages((nextToken) =>
      store.listActiveExecutions({ phase: 'Pending', limit: 3, ...(nextToken && { nextToken }) }),
    );
    expect(ids(pendingOnly.filter((e) => pendingTargets.includes(e.targetResource)))).toEqual(
      ids(pending.map((r) => r.execution)),
    );
  });

  it('lists the executions created in a window newest first, Pending and Skipped included, filtered by phase and workflow, without repeats or gaps while new ones are written', async () => {
    clock.advanceSeconds(3_600);
    const since = clock.now().toISOString();
    const created: Execution[] = [];
    for (let i = 0; i < 12; i++) {
      clock.advanceSeconds(1);
      const target = uniqueTarget('window');
      if (i % 4 === 0) created.push((await driver.admitted(target)).execution);
      else if (i % 4 === 1) created.push((await driver.failBeforeStart(target)).execution);
      else created.push((await driver.runToCompletion(target)).execution);
    }
    // A refusal is an execution too (Skipped).
    clock.advanceSeconds(1);
    const refused = await driver.admit(created[0]!.targetResource);
    created.push(refused.record.execution);
    clock.advanceSeconds(1);
    const until = clock.now().toISOString();
    clock.advanceSeconds(1);
    await driver.runToCompletion(uniqueTarget('after-window'));

    const newestFirst = [...created].sort((a, b) =>
      a.createdAt === b.createdAt ? 0 : a.createdAt < b.createdAt ? 1 : -1,
    );
    let written = 0;
    const listed = await pages(async (nextToken) => {
      // New executions keep arriving while the listing is read: they are newer than the window's pages.
      written++;
      await driver.runToCompletion(uniqueTarget('meanwhile'));
      return store.listExecutionsCreated({ since, until, limit: 3, ...(nextToken && { nextToken }) });
    });
    expect(written).toBeGreaterThan(3);
    expect(listed.map((e) => e.id)).toEqual(newestFirst.map((e) => e.id));
    expect(listed.map((e) => e.phase)).toEqual(newestFirst.map((e) => e.phase));

    const failed = await pages((nextToken) =>
      store.listExecutionsCreated({ since, until, phase: 'Failed', limit: 2, ...(nextToken && { nextToken }) }),
    );
    expect(failed.map((e) => e.id)).toEqual(newestFirst.filter((e) => e.phase === 'Failed').map((e) => e.id));
    const pending = await pages((nextToken) =>
      store.listExecutionsCreated({ since, until, phase: 'Pending', limit: 2, ...(nextToken && { nextToken }) }),
    );
    expect(pending.map((e) => e.id)).toEqual(newestFirst.filter((e) => e.phase === 'Pending').map((e) => e.id));
    const otherWorkflow = await store.listExecutionsCreated({ since, until, workflowId: 'wait', limit: 100 });
    expect(otherWorkflow.items).toEqual([]);
  });

  it('reads in proportion to the answer, not to history: 10,000 older terminal executions beside 5 in the window', async () => {
    const doc = DynamoDBDocumentClient.from(setup.client);
    const old = new Date(clock.now().getTime() - 7 * 86_400_000).toISOString();
    const history = Array.from({ length: 10_000 }, (_, i): ExecutionRecord => {
      const id = `history-${i}`;
      return {
        execution: {
          ...request(`history/deployment/w${i % 100}`),
          id,
          correlationId: id,
          phase: 'Completed',
          createdAt: old,
          startTime: old,
          completionTime: old,
          durationSeconds: 0,
        },
        fencingToken: i + 1,
        events: [],
      };
    });
    const batches = Array.from({ length: history.length / 25 }, (_, b) => history.slice(b * 25, b * 25 + 25));
    for (let i = 0; i < batches.length; i += 16) {
      await Promise.all(
        batches.slice(i, i + 16).map((batch) =>
          doc.send(
            new BatchWriteCommand({
              RequestItems: {
                [setup.tableName]: batch.map((r) => ({ PutRequest: { Item: executionItem(r, 3600) } })),
              },
            }),
          ),
        ),
      );
    }
    clock.advanceSeconds(60);
    const since = clock.now().toISOString();
    const recent = [];
    for (let i = 0; i < 5; i++) {
      clock.advanceSeconds(1);
      recent.push(await driver.runToCompletion(uniqueTarget('recent')));
    }

    const mark = setup.meter.position();
    const page = await store.listExecutionsCreated({ since, limit: 20 });
    const cost = setup.meter.since(mark);
    expect(page.items.map((e) => e.id)).toEqual(recent.map((r) => r.execution.id).reverse());
    // One query per by-created shard, and the active index's Running shards for Pending executions and its
    // AwaitingApproval shards for those awaiting approval (neither has an item yet); the history is never read.
    expect(cost.byCommand.Query).toBeLessThanOrEqual(CREATED_SHARDS + 2 * STANDING_SHARDS);
    expect(cost.itemsRead).toBeLessThan(5 + 20 + 50);
  }, 180_000);
});
