import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_TABLE_DEFINITION, TABLE_DEFINITION } from '../../contract/table.js';

/**
 * How the engine's items use the table of lib/contract/table.ts (all keyed PK + SK):
 * - target    `T#<sha256 of canonical target>` / `TARGET`: lock, fencing token, windows, block.
 *   While it is not idle (held, blocked, or in a cooldown or backoff window) it carries
 *   `activePK`/`activeSK` (its state and shard; see target-standing.ts) and so appears in the
 *   sparse `active` index, which the sweeper and the listings of targets by state read.
 * - execution `E#<execution id>` / `EXECUTION`: the execution object and its audit events,
 *   in the `by-target` index as `targetPK` / `targetSK` (createdAt#id, newest first when read backwards),
 *   and in the `by-created` index as `createdPK` (`C#<shard>`, from the id) / `createdSK`
 *   (createdAt#id), for the listings of a time window across targets.
 */

/**
 * How many partitions each state of the `active` index is spread over: a GSI partition takes
 * about 1,000 writes a second, and a throttled GSI throttles the table's own writes.
 */
export const STANDING_SHARDS = 8;

/** The same for the `by-created` index, which every execution item is written to. */
export const CREATED_SHARDS = 8;

export function createIdempotencyTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE_DEFINITION.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_DEFINITION.partitionKey, KeyType: 'HASH' }],
  };
}

export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, indexes } = TABLE_DEFINITION;
  const attributes = [
    partitionKey,
    sortKey,
    ...Object.values(indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_DEFINITION.streamViewType },
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.values(indexes).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
