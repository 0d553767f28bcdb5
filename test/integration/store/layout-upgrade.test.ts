import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { backfillIndexKeys } from '../../../lib/adapters/dynamodb/index-backfill.js';
import { executionKey, targetKey } from '../../../lib/adapters/dynamodb/items.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { createWorkflowVersionsHandler } from '../../../lib/handlers/workflow-versions-handler.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

/** A table an earlier layout wrote (Lockstep 0.1: `active` = held targets under ACTIVE, no by-created keys), brought up to date. */
describe('upgrading the table layout', () => {
  it('gives every held, blocked and cooling target its standing and every execution its by-created keys, once; listings, the sweeper and Pending lookups then find them', async () => {
    const { client, store, tableName } = await createTestStore();
    const clock = new ManualClock();
    const driver = new Driver(store, clock, { ...DEFAULT_POLICY, cooldownSeconds: 600 });
    const since = clock.now().toISOString();
    clock.advanceSeconds(1);
    const held = uniqueTarget('held');
    const pending = await driver.admitted(held);
    const blocked = uniqueTarget('blocked');
    const failing = await driver.admitted(blocked);
    await driver.start(failing);
    await driver.fail(failing.execution.id, 'TaskFailed', true);
    const cooling = uniqueTarget('cooling');
    const done = await driver.runToCompletion(cooling);

    // As 0.1 left them.
    const doc = DynamoDBDocumentClient.from(client);
    const update = (Key: Record<string, unknown>, UpdateExpression: string, values?: Record<string, unknown>) =>
      doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression,
          ...(values && { ExpressionAttributeValues: values }),
        }),
      );
    await update(targetKey(held), 'SET activePK = :legacy, activeSK = :id', {
      ':legacy': 'ACTIVE',
      ':id': pending.execution.id,
    });
    for (const target of [blocked, cooling]) await update(targetKey(target), 'REMOVE activePK, activeSK');
    for (const id of [failing.execution.id, done.execution.id])
      await update(executionKey(id), 'REMOVE createdPK, createdSK');
    const listed = async () => ({
      running: (await store.listTargets({ state: 'Running', at: clock.now(), limit: 100 })).items.map(
        (t) => t.targetResource,
      ),
      blocked: (await store.listTargets({ state: 'Blocked', at: clock.now(), limit: 100 })).items.map(
        (t) => t.targetResource,
      ),
      cooling: (await store.listTargets({ state: 'CoolingDown', at: clock.now(), limit: 100 })).items.map(
        (t) => t.targetResource,
      ),
      window: (await store.listExecutionsCreated({ since, limit: 100 })).items.map((e) => e.id).sort(),
    });
    expect(await listed()).toMatchObject({ running: [], blocked: [], cooling: [] });
    expect(await store.getExecution(pending.execution.id)).toBeUndefined();

    // The deploy's upgrade stage (local mode calls the same function at start).
    const handler = createWorkflowVersionsHandler({
      check: async () => [],
      remember: async () => [],
      upgrade: () => backfillIndexKeys(client, tableName),
    });
    await handler({ RequestType: 'Update', ResourceProperties: { Stage: 'upgrade' } });

    expect(await listed()).toEqual({
      running: [held],
      blocked: [blocked],
      cooling: [cooling],
      window: [pending.execution.id, failing.execution.id, done.execution.id].sort(),
    });
    expect((await store.getExecution(pending.execution.id))?.execution.phase).toBe('Pending');
    // Once per table: the marker says it is done.
    expect(await backfillIndexKeys(client, tableName)).toEqual({ targets: 0, executions: 0 });
  });
});
