import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TABLE_DEFINITION } from './table-definition.js';

/**
 * A workflow version is immutable: the table remembers the digest each id and version was
 * first seen with, and a later start with other content under the same version is refused,
 * naming the workflow and saying to publish a new version. Returns one problem line per
 * changed version (none when all are as first seen); the versions seen for the first time
 * are remembered.
 */
export async function rememberWorkflowDigests(client: DynamoDBClient, tableName: string, versions: readonly { id: string; version: string; digest: string }[]): Promise<string[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const problems: string[] = [];
  for (const { id, version, digest } of versions) {
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { [TABLE_DEFINITION.partitionKey]: `W#${id}`, [TABLE_DEFINITION.sortKey]: `V#${version}`, entity: 'workflow-version', id, version, digest },
          ConditionExpression: 'attribute_not_exists(#pk) OR digest = :digest',
          ExpressionAttributeNames: { '#pk': TABLE_DEFINITION.partitionKey },
          ExpressionAttributeValues: { ':digest': digest },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const seen = error.Item ? String(unmarshall(error.Item).digest) : 'another digest';
      problems.push(`workflow ${id} version ${version} was first seen with ${seen}, and its content now has ${digest}: a version never changes, so publish a new version (raise "version" in its workflow.json)`);
    }
  }
  return problems;
}
