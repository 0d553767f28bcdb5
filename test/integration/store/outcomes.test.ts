import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../lib/adapters/dynamodb/dynamodb-store.js';
import { executionItem } from '../../../lib/adapters/dynamodb/items.js';
import { AuditEventType } from '../../../lib/domain/audit.js';
import type { ExecutionRecord } from '../../../lib/domain/execution.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

/**
 * One outcome per way an execution ends, whichever path settles the target: the
 * completion itself, or the sweeper releasing a lock whose holder is already terminal.
 */
describe('outcomes are derived once', () => {
  let store: DynamoDbStore;
  let doc: DynamoDBDocumentClient;
  let tableName: string;
  beforeAll(async () => {
    const created = await createTestStore();
    ({ store, tableName } = created);
    doc = DynamoDBDocumentClient.from(created.client, { marshallOptions: { removeUndefinedValues: true } });
  });

  /** The state a crash between the two writes of an older engine could leave: the holder is terminal, the target still held. */
  async function orphanedLock(failure: {
    reason: 'Unknown' | 'Cancelled' | 'TaskFailed';
    wasExecutionFailure: boolean;
    message: string;
  }) {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);
    const running = await driver.start(admitted);
    driver.clock.advanceSeconds(10);
    const at = driver.clock.now().toISOString();
    const ended: ExecutionRecord = {
      execution: {
        ...running.execution,
        phase: 'Failed',
        completionTime: at,
        durationSeconds: 10,
        failureDetails: { ...failure, failedAt: at },
      },
      fencingToken: admitted.fencingToken,
      events: [
        ...running.events,
        { ...running.events[0]!, seq: 3, type: AuditEventType.WorkflowFailed, at, actor: 'lockstep', payload: failure },
      ],
    };
    await doc.send(new PutCommand({ TableName: tableName, Item: executionItem(ended, 3600) }));
    const released = await store.releaseLock({
      targetResource: target,
      executionId: admitted.execution.id,
      fencingToken: admitted.fencingToken,
      policy: driver.policy,
    });
    expect(released).toBe(true);
    return store.getTarget(target);
  }

  it('does not count a lock-stolen run (stopped or deleted outside the engine) against the target when the sweeper releases its lock', async () => {
    const target = await orphanedLock({
      reason: 'Unknown',
      wasExecutionFailure: false,
      message: 'the Step Functions execution was stopped outside the engine',
    });
    expect(target).toMatchObject({ consecutiveFailures: 0, lastOutcome: 'Failed' });
    expect(target.nextAllowedAt).toBeUndefined();
    expect(target.blockReason).toBeUndefined();
    expect(target.holder).toBeUndefined();
  });

  it('settles a cancelled run and an execution failure the same way a completion does', async () => {
    const cancelled = await orphanedLock({
      reason: 'Cancelled',
      wasExecutionFailure: false,
      message: 'cancelled by alice',
    });
    expect(cancelled).toMatchObject({ consecutiveFailures: 0, cooldownUntil: expect.any(String) });
    expect(cancelled.blockReason).toBeUndefined();

    const failed = await orphanedLock({ reason: 'TaskFailed', wasExecutionFailure: true, message: 'boom' });
    expect(failed).toMatchObject({ blockReason: 'PreviousExecutionFailed', cooldownUntil: expect.any(String) });
  });
});
