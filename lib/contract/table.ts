/**
 * The one definition of the engine's table, shared across the boundary between the CDK app
 * (which deploys it) and the DynamoDB adapter (which creates it locally and reads and writes
 * it): keys, indexes, TTL attribute, stream. Local and deployed tables cannot drift apart.
 * How items use these keys is the adapter's (lib/adapters/dynamodb/table-definition.ts).
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

export const DEFAULT_TABLE_NAME = 'lockstep';

/**
 * The table Powertools Idempotency keeps its records in (its default layout: key `id`, TTL
 * `expiration`). Separate from the engine's table so that idempotency keys never share a
 * partition and expire on their own.
 */
export const IDEMPOTENCY_TABLE_DEFINITION = { partitionKey: 'id', timeToLiveAttribute: 'expiration' } as const;

export const DEFAULT_IDEMPOTENCY_TABLE_NAME = 'lockstep-idempotency';
