import { createHash } from 'node:crypto';
import { TABLE_DEFINITION } from '../../contract/table.js';
import { type Execution, type ExecutionRecord, ExecutionRecordSchema } from '../../domain/execution.js';
import { idleTarget, type TargetState, TargetStateSchema } from '../../domain/target.js';
import { CREATED_SHARDS } from './table-definition.js';

const TARGET_SK = 'TARGET';
const EXECUTION_SK = 'EXECUTION';

export type Item = Record<string, unknown>;

/** Targets are keyed by a hash: a 1024-character target in UTF-8 can exceed DynamoDB's 2048-byte key limit. */
export function targetPartitionKey(canonicalTarget: string): string {
  return `T#${createHash('sha256').update(canonicalTarget, 'utf8').digest('hex')}`;
}

/** Which of `shards` partitions a key's items go to: spread by hash, the same for every writer and reader. */
export function shardOf(key: string, shards: number): number {
  return Number.parseInt(createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8), 16) % shards;
}

/** The `by-created` shard of an execution, from its id. */
export function createdPartition(executionId: string): string {
  return `C#${shardOf(executionId, CREATED_SHARDS)}`;
}

/** Where an execution stands in a newest-first listing (`createdAt#id`): the sort key of both execution indexes. */
export const positionOf = (execution: Pick<Execution, 'createdAt' | 'id'>): string =>
  `${execution.createdAt}#${execution.id}`;

export function targetKey(canonicalTarget: string): Item {
  return {
    [TABLE_DEFINITION.partitionKey]: targetPartitionKey(canonicalTarget),
    [TABLE_DEFINITION.sortKey]: TARGET_SK,
  };
}

export function executionKey(executionId: string): Item {
  return { [TABLE_DEFINITION.partitionKey]: `E#${executionId}`, [TABLE_DEFINITION.sortKey]: EXECUTION_SK };
}

/** Parses a stored target item; a missing item is an idle target. */
export function targetFromItem(canonicalTarget: string, item: Item | undefined): TargetState {
  if (!item) return idleTarget(canonicalTarget);
  return TargetStateSchema.parse({ ...idleTarget(canonicalTarget), ...item });
}

/**
 * The full execution item. Parsing the record first means an out-of-enum phase or reason
 * throws here, before any write: it can never be persisted.
 */
export function executionItem(record: ExecutionRecord, retentionSeconds: number): Item {
  const { execution, fencingToken, events } = ExecutionRecordSchema.parse(record);
  const ended = execution.completionTime ?? (execution.phase === 'Skipped' ? execution.createdAt : undefined);
  return {
    ...executionKey(execution.id),
    entity: 'execution',
    [TABLE_DEFINITION.indexes.byTarget.partitionKey]: targetPartitionKey(execution.targetResource),
    [TABLE_DEFINITION.indexes.byTarget.sortKey]: positionOf(execution),
    [TABLE_DEFINITION.indexes.byCreated.partitionKey]: createdPartition(execution.id),
    [TABLE_DEFINITION.indexes.byCreated.sortKey]: positionOf(execution),
    execution,
    ...(fencingToken !== undefined && { fencingToken }),
    events,
    // TTL only collects old history; nothing reads it for correctness.
    ...(ended && { [TABLE_DEFINITION.timeToLiveAttribute]: Math.floor(Date.parse(ended) / 1000) + retentionSeconds }),
  };
}

export function recordFromItem(item: Item): ExecutionRecord {
  return ExecutionRecordSchema.parse({
    execution: item.execution,
    fencingToken: item.fencingToken,
    events: item.events,
  });
}
