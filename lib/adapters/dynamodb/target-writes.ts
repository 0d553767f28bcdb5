import type { Holder, Settlement, TargetState } from '../../domain/target.js';
import { ACTIVE, targetKey } from './items.js';
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
      'SET entity = :entity, targetResource = :target, holder = :holder, activePK = :active, activeSK = :id, ' +
      'consecutiveFailures = if_not_exists(consecutiveFailures, :zero), blockClearances = if_not_exists(blockClearances, :none) ' +
      'ADD fencingToken :one',
    ConditionExpression:
      'attribute_not_exists(holder) AND attribute_not_exists(blockReason) ' +
      'AND (attribute_not_exists(cooldownUntil) OR cooldownUntil <= :now) ' +
      'AND (attribute_not_exists(nextAllowedAt) OR nextAllowedAt <= :now)',
    ExpressionAttributeValues: { ':entity': 'target', ':target': targetResource, ':holder': holder, ':active': ACTIVE, ':id': id, ':zero': 0, ':none': [], ':one': 1, ':now': at },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * Releases the target from its holder and leaves the settlement's windows behind, only if
 * the holder and fencing token are still the ones the settlement was computed for.
 * Settlement fields that are absent are removed.
 */
export function releaseUpdate(tableName: string, target: TargetState, executionId: string, settlement: Settlement): TransactUpdate {
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes = ['holder', 'activePK', 'activeSK'];
  const fields: (keyof Settlement)[] = ['lastExecutionId', 'lastOutcome', 'consecutiveFailures', 'cooldownUntil', 'nextAllowedAt', 'blockReason', 'blockedByExecutionId'];
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
    ConditionExpression: 'holder.execution.id = :holderId AND fencingToken = :token AND consecutiveFailures = :failuresBefore',
    ExpressionAttributeValues: { ...values, ':holderId': executionId, ':token': target.fencingToken, ':failuresBefore': target.consecutiveFailures },
  };
}
