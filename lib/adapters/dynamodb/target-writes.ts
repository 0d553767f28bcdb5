import { TABLE_DEFINITION } from '../../contract/table.js';
import { type Holder, type Settlement, standingOf, type TargetState } from '../../domain/target.js';
import { targetKey } from './items.js';
import { pendingKeys, standingKeys } from './target-standing.js';
import type { TransactUpdate } from './transactions.js';

/**
 * The admission: one conditional write that takes the target for `holder` and adds 1 to
 * its fencing token, only if nothing holds or blocks it and both windows are closed (the
 * predicate `refusal` in the domain states in words). A refusal returns the old item.
 */
export function admissionUpdate(tableName: string, holder: Holder, at: string): TransactUpdate {
  const { targetResource, id } = holder.execution;
  return {
    TableName: tableName,
    Key: targetKey(targetResource),
    UpdateExpression:
      'SET entity = :entity, targetResource = :target, holder = :holder, activePK = :activePK, activeSK = :activeSK, ' +
      'consecutiveFailures = if_not_exists(consecutiveFailures, :zero), blockClearances = if_not_exists(blockClearances, :none) ' +
      'ADD fencingToken :one',
    ConditionExpression:
      'attribute_not_exists(holder) AND attribute_not_exists(blockReason) ' +
      'AND (attribute_not_exists(cooldownUntil) OR cooldownUntil <= :now) ' +
      'AND (attribute_not_exists(nextAllowedAt) OR nextAllowedAt <= :now)',
    ExpressionAttributeValues: {
      ':entity': 'target',
      ':target': targetResource,
      ':holder': holder,
      ...indexValues(pendingKeys(id)),
      ':zero': 0,
      ':none': [],
      ':one': 1,
      ':now': at,
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * Releases the target from its holder and leaves the settlement's windows behind, only if
 * the holder and fencing token are still the ones the settlement was computed for.
 * Settlement fields that are absent are removed.
 */
export function releaseUpdate(
  tableName: string,
  target: TargetState,
  executionId: string,
  settlement: Settlement,
): TransactUpdate {
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes = ['holder'];
  // The target's new standing in the `active` index, written with the release itself.
  const index = standingClauses(target.targetResource, settlement);
  sets.push(...index.sets);
  removes.push(...index.removes);
  Object.assign(values, index.values);
  const fields: (keyof Settlement)[] = [
    'lastExecutionId',
    'lastOutcome',
    'consecutiveFailures',
    'cooldownUntil',
    'nextAllowedAt',
    'blockReason',
    'blockedByExecutionId',
  ];
  for (const field of fields) {
    const value = settlement[field];
    if (value === undefined) removes.push(field);
    else {
      sets.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  return {
    TableName: tableName,
    Key: targetKey(target.targetResource),
    UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
    // consecutiveFailures cannot change while the target is held, so the settlement computed from it stays right.
    ConditionExpression:
      'holder.execution.id = :holderId AND fencingToken = :token AND consecutiveFailures = :failuresBefore',
    ExpressionAttributeValues: {
      ...values,
      ':holderId': executionId,
      ':token': target.fencingToken,
      ':failuresBefore': target.consecutiveFailures,
    },
  };
}

/**
 * The update clauses that put a target's standing (see `standingOf`) in the `active` index,
 * or take it out when it is idle: for every write that changes what a target stands in.
 */
export function standingClauses(
  targetResource: string,
  target: Parameters<typeof standingOf>[0],
): { sets: string[]; removes: string[]; values: Record<string, unknown> } {
  const standing = standingOf(target);
  if (!standing) return { sets: [], removes: ['activePK', 'activeSK'], values: {} };
  return {
    sets: ['activePK = :activePK', 'activeSK = :activeSK'],
    removes: [],
    values: indexValues(standingKeys(targetResource, standing)),
  };
}

/** The `active` index's key attributes as expression values `:activePK` and `:activeSK`. */
export function indexValues(keys: Record<string, unknown>): Record<string, unknown> {
  const { partitionKey, sortKey } = TABLE_DEFINITION.indexes.active;
  return { ':activePK': keys[partitionKey], ':activeSK': keys[sortKey] };
}
