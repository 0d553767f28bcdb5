import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TABLE_DEFINITION } from '../../contract/table.js';
import type { VersionDigest } from '../../domain/workflow-version.js';

/**
 * A workflow version is immutable: the table remembers the digest each id and version was
 * first seen with, and later content under the same version is refused, naming the
 * workflow and saying to publish a new version. `checkWorkflowDigests` only reads (before
 * anything is deployed or started); `rememberWorkflowDigests` records the versions seen for
 * the first time once they are deployed, so a start or deploy that is refused or rolled
 * back remembers nothing. Both return one problem line per changed version.
 */
export async function checkWorkflowDigests(
  client: DynamoDBClient,
  tableName: string,
  versions: readonly VersionDigest[],
): Promise<string[]> {
  return changedVersions(versions, await seenDigests(DynamoDBDocumentClient.from(client), tableName, versions));
}

export async function rememberWorkflowDigests(
  client: DynamoDBClient,
  tableName: string,
  versions: readonly VersionDigest[],
): Promise<string[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const seen = await seenDigests(doc, tableName, versions);
  const changed = changedVersions(versions, seen);
  if (changed.length > 0) return changed;

  const problems: string[] = [];
  for (const [i, v] of versions.entries()) {
    if (seen[i] !== undefined) continue;
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...key(v), entity: 'workflow-version', id: v.id, version: v.version, digest: v.digest },
          // Another start or deploy may have remembered it since the read.
          ConditionExpression: 'attribute_not_exists(#pk) OR digest = :digest',
          ExpressionAttributeNames: { '#pk': TABLE_DEFINITION.partitionKey },
          ExpressionAttributeValues: { ':digest': v.digest },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      problems.push(changedVersion(v, error.Item ? String(unmarshall(error.Item).digest) : 'another digest'));
    }
  }
  return problems;
}

const key = ({ id, version }: VersionDigest) => ({
  [TABLE_DEFINITION.partitionKey]: `W#${id}`,
  [TABLE_DEFINITION.sortKey]: `V#${version}`,
});

async function seenDigests(
  doc: DynamoDBDocumentClient,
  tableName: string,
  versions: readonly VersionDigest[],
): Promise<(string | undefined)[]> {
  return Promise.all(
    versions.map(
      async (v) =>
        (await doc.send(new GetCommand({ TableName: tableName, Key: key(v), ConsistentRead: true }))).Item?.digest as
          | string
          | undefined,
    ),
  );
}

const changedVersions = (versions: readonly VersionDigest[], seen: readonly (string | undefined)[]) =>
  versions.flatMap((v, i) => (seen[i] === undefined || seen[i] === v.digest ? [] : [changedVersion(v, seen[i]!)]));

const changedVersion = ({ id, version, digest }: VersionDigest, seen: string) =>
  `workflow ${id} version ${version} was first seen with ${seen}, and its content now has ${digest}: a version never changes, so publish a new version (raise "version" in its workflow.json)`;
