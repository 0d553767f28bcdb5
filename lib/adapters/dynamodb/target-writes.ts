import { TABLE_DEFINITION } from '../../contract/table.js';
import { type Holder, type Settlement, standingOf, type TargetState } from '../../domain/target.js';
import { targetKey } from './items.js';
import { heldKeys, standingKeys } from './target-standing.js';
import type { TransactUpdate } from './transactions.js';

/**
 * The admission: one conditional write that takes the target for `holder` and adds 1 to
 * its fencing token, only if nothing holds or blocks it and both windows are closed (the
 * predicate `refusal` in the domain states in words). A refusal returns the old item.
 */
export function admissionUpdate(tableName: string, holder: Holder, at: string): TransactUpdate {
  const { targetResource } = holder.execution;
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
      ...indexValues(heldKeys(holder)),
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
 * the holder and fencing token are still the ones the settlement was computed for, and the
 * holder has not changed since it was read (an approval decision changes it; nothing else does).
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
      'holder.execution.id = :holderId AND fencingToken = :token AND consecutiveFailures = :failuresBefore ' +
      'AND size(holder.events) = :holderEvents',
    ExpressionAttributeValues: {
      ...values,
      ':holderId': executionId,
      ':token': target.fencingToken,
      ':failuresBefore': target.consecutiveFailures,
      ':holderEvents': target.holder?.events.length ?? 0,
    },
  };
}

/**
 * An approval decision on the target's holder: the new holder (Pending once approved, with the
 * index entry of a Pending execution), only if the holder is the one the decision was made on:
 * the same execution and token, AwaitingApproval, with the events it had. Of two concurrent
 * decisions, or a decision and an expiry, exactly one lands on what it read.
 */
export function decisionUpdate(tableName: string, target: TargetState, holder: Holder): TransactUpdate {
  const read = target.holder!;
  const index = holder.execution.phase === read.execution.phase ? undefined : indexValues(heldKeys(holder));
  return {
    TableName: tableName,
    Key: targetKey(target.targetResource),
    UpdateExpression: `SET holder = :holder${index ? ', activePK = :activePK, activeSK = :activeSK' : ''}`,
    ConditionExpression:
      'holder.execution.id = :holderId AND fencingToken = :token AND holder.execution.phase = :awaiting ' +
      'AND size(holder.events) = :holderEvents',
    ExpressionAttributeValues: {
      ':holder': holder,
      ...index,
      ':holderId': read.execution.id,
      ':token': target.fencingToken,
      ':awaiting': 'AwaitingApproval',
      ':holderEvents': read.events.length,
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
