import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_DEFINITION } from '../../contract/table.js';
import { standingOf } from '../../domain/target.js';
import { createdPartition, executionKey, type Item, positionOf, targetFromItem, targetKey } from './items.js';
import { heldKeys, standingKeys } from './target-standing.js';

/** The partition the `active` index had before it was keyed by state and shard (Lockstep 0.1). */
const LEGACY_ACTIVE = 'ACTIVE';
/** Written once the table's items carry the index keys of this layout. */
const LAYOUT = { [TABLE_DEFINITION.partitionKey]: 'LAYOUT', [TABLE_DEFINITION.sortKey]: 'LAYOUT' };
const LAYOUT_VERSION = 2;

/**
 * Gives the items an earlier layout wrote the index keys of this one: a target held, blocked
 * or in a window gets its standing in the sharded `active` index (it had `ACTIVE`, or nothing
 * when it was not held), an execution its `by-created` keys. Without it, such targets and
 * executions would be missing from the listings, and a target held across the upgrade would
 * escape the sweeper. Each write is conditional on the item being as it was read, so a
 * transition that happens meanwhile (and writes the new keys itself) wins. Runs once per
 * table: a marker item records that it is done. Returns how many items it brought up to date.
 */
export async function backfillIndexKeys(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ targets: number; executions: number }> {
  const doc = DynamoDBDocumentClient.from(client);
  const done = await doc.send(new GetCommand({ TableName: tableName, Key: LAYOUT, ConsistentRead: true }));
  if (Number(done.Item?.version) >= LAYOUT_VERSION) return { targets: 0, executions: 0 };
  const { active, byCreated } = TABLE_DEFINITION.indexes;
  const counts = { targets: 0, executions: 0 };
  let startKey: Item | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression:
          '(entity = :target AND (#apk = :legacy OR (attribute_not_exists(#apk) AND (attribute_exists(holder) OR attribute_exists(blockReason) OR attribute_exists(cooldownUntil) OR attribute_exists(nextAllowedAt))))) ' +
          'OR (entity = :execution AND attribute_not_exists(#cpk))',
        ExpressionAttributeNames: { '#apk': active.partitionKey, '#cpk': byCreated.partitionKey },
        ExpressionAttributeValues: { ':target': 'target', ':execution': 'execution', ':legacy': LEGACY_ACTIVE },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        if (item.entity === 'target') {
          const target = targetFromItem(String(item.targetResource), item);
          const standing = standingOf(target);
          if (!standing) continue;
          const keys = target.holder ? heldKeys(target.holder) : standingKeys(target.targetResource, standing);
          await doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: targetKey(target.targetResource),
              UpdateExpression: 'SET #apk = :pk, #ask = :sk',
              ConditionExpression: 'fencingToken = :token AND (attribute_not_exists(#apk) OR #apk = :legacy)',
              ExpressionAttributeNames: { '#apk': active.partitionKey, '#ask': active.sortKey },
              ExpressionAttributeValues: {
                ':pk': keys[active.partitionKey],
                ':sk': keys[active.sortKey],
                ':token': target.fencingToken,
                ':legacy': LEGACY_ACTIVE,
              },
            }),
          );
          counts.targets++;
        } else {
          const execution = item.execution as { id: string; createdAt: string };
          await doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: executionKey(execution.id),
              UpdateExpression: 'SET #cpk = :pk, #csk = :sk',
              ConditionExpression: 'attribute_not_exists(#cpk)',
              ExpressionAttributeNames: { '#cpk': byCreated.partitionKey, '#csk': byCreated.sortKey },
              ExpressionAttributeValues: { ':pk': createdPartition(execution.id), ':sk': positionOf(execution) },
            }),
          );
          counts.executions++;
        }
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await doc.send(
    new PutCommand({ TableName: tableName, Item: { ...LAYOUT, entity: 'layout', version: LAYOUT_VERSION } }),
  );
  return counts;
}
