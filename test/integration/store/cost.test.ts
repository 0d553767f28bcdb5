import { beforeAll, describe, expect, it } from 'vitest';
import type { CapacityMeter } from '../../../lib/adapters/dynamodb/capacity-meter.js';
import type { DynamoDbStore } from '../../../lib/adapters/dynamodb/dynamodb-store.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

/**
 * What each operation costs in DynamoDB requests and capacity units, as DynamoDB reports
 * them (ReturnConsumedCapacity=TOTAL). docs/engine.md ("What an execution costs in DynamoDB") quotes the figures this test prints.
 */
describe('DynamoDB cost per operation', () => {
  let store: DynamoDbStore;
  let meter: CapacityMeter;
  beforeAll(async () => {
    ({ store, meter } = await createTestStore());
  });

  async function measure(operation: () => Promise<unknown>) {
    const mark = meter.position();
    await operation();
    return meter.since(mark);
  }

  it('admits with one write, refuses with two requests, and runs a full lifecycle in three writes', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    let admitted!: Awaited<ReturnType<Driver['admitted']>>;

    const admission = await measure(async () => (admitted = await driver.admitted(target)));
    const skip = await measure(() => driver.admit(target));
    const start = await measure(() => driver.start(admitted));
    const completion = await measure(() => driver.complete(admitted.execution.id));

    const figures = { admission, skip, start, completion };
    console.log(JSON.stringify(figures, null, 2));
    expect(admission).toMatchObject({ requests: 1, writes: 1, byCommand: { UpdateItem: 1 } });
    expect(skip).toMatchObject({ requests: 2, writes: 2, byCommand: { UpdateItem: 1, PutItem: 1 } });
    expect(start).toMatchObject({ requests: 1, writes: 1, byCommand: { PutItem: 1 } });
    expect(completion).toMatchObject({ writes: 1, reads: 2, byCommand: { GetItem: 2, TransactWriteItems: 1 } });
    expect(admission.writes + start.writes + completion.writes).toBe(3);
  });

  it('admits a keyed request with one transaction and one read, and answers its retry with reads only', async () => {
    const clock = new ManualClock();
    const target = uniqueTarget();
    const executionId = crypto.randomUUID();
    const admit = () =>
      store.admit({
        request: {
          targetResource: target,
          workflowId: 'noop',
          workflowVersion: '1',
          parameters: {},
          requestedBy: 'test',
          source: 'api',
        },
        executionId,
        at: clock.now(),
        exclusive: true,
      });

    const keyed = await measure(admit);
    const retry = await measure(admit);

    console.log(JSON.stringify({ keyed, retry }, null, 2));
    // The lock and "no execution of this id yet" in one transaction, then the fencing token it got.
    expect(keyed).toMatchObject({ requests: 2, writes: 1, byCommand: { TransactWriteItems: 1, GetItem: 1 } });
    // The retry is refused by the transaction and finds the holder in the refusal: nothing is written.
    expect(retry.byCommand.TransactWriteItems).toBe(1);
    expect(retry.byCommand.PutItem).toBeUndefined();
  });
});
