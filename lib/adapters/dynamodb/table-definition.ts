import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one definition of the engine's table. The CDK app and local table creation both
 * build from it, so local and deployed tables cannot drift apart.
 *
 * Items (all keyed PK + SK):
 * - target    `T#<sha256 of canonical target>` / `TARGET`: lock, fencing token, windows, block.
 *   While it is not idle (held, blocked, or in a cooldown or backoff window) it carries
 *   `activePK`/`activeSK` (its state and shard; see target-standing.ts) and so appears in the
 *   sparse `active` index, which the sweeper and the listings of targets by state read.
 * - execution `E#<execution id>` / `EXECUTION`: the execution object and its audit events,
 *   in the `by-target` index as `targetPK` / `targetSK` (createdAt#id, newest first when read backwards),
 *   and in the `by-created` index as `createdPK` (`C#<shard>`, from the id) / `createdSK`
 *   (createdAt#id), for the listings of a time window across targets.
 */
export const TABLE_DEFINITION = {
  partitionKey: 'PK',
  sortKey: 'SK',
  timeToLiveAttribute: 'expiresAt',
  /** The stream carries every write with what the item held before and after: the domain events' outbox. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  indexes: {
    byTarget: { name: 'by-target', partitionKey: 'targetPK', sortKey: 'targetSK' },
    active: { name: 'active', partitionKey: 'activePK', sortKey: 'activeSK' },
    byCreated: { name: 'by-created', partitionKey: 'createdPK', sortKey: 'createdSK' },
  },
} as const;

/**
 * How many partitions each state of the `active` index is spread over: a GSI partition takes
 * about 1,000 writes a second, and a throttled GSI throttles the table's own writes.
 */
export const STANDING_SHARDS = 8;

/** The same for the `by-created` index, which every execution item is written to. */
export const CREATED_SHARDS = 8;

export const DEFAULT_TABLE_NAME = 'lockstep';

/**
 * The table Powertools Idempotency keeps its records in (its default layout: key `id`, TTL
 * `expiration`). Separate from the engine's table so that idempotency keys never share a
 * partition and expire on their own.
 */
export const IDEMPOTENCY_TABLE_DEFINITION = { partitionKey: 'id', timeToLiveAttribute: 'expiration' } as const;

export const DEFAULT_IDEMPOTENCY_TABLE_NAME = 'lockstep-idempotency';

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
