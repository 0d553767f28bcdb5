import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_TABLE_DEFINITION, TABLE_DEFINITION } from '../../contract/table.js';
import { pageTokensFor } from './page-tokens.js';
import { createIdempotencyTableInput, createTableInput } from './table-definition.js';

/**
 * Creates the engine's table from the shared definition if it does not exist, and waits
 * until it is ACTIVE. For local mode and tests. Returns the ARN of its stream (the outbox
 * the domain events are published from).
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<{ streamArn: string }> {
  const input = createTableInput(tableName);
  await ensure(client, input, TABLE_DEFINITION.timeToLiveAttribute);
  // The page-token key exists before the first request, so that no read request ever writes.
  await pageTokensFor(client, tableName);
  // A table kept in a data folder by an earlier version gets the indexes added since, one at a time as DynamoDB requires.
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    const keys = new Set(index.KeySchema?.map((key) => key.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: input.AttributeDefinitions?.filter((attribute) => keys.has(attribute.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    await ensure(client, input, TABLE_DEFINITION.timeToLiveAttribute);
  }
  // A table made before the outbox gets its stream.
  if (Table?.StreamSpecification?.StreamViewType !== TABLE_DEFINITION.streamViewType) {
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: input.StreamSpecification }));
    await ensure(client, input, TABLE_DEFINITION.timeToLiveAttribute);
  }
  const streamArn = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  return { streamArn };
}

/** The same for the idempotency table. */
export async function ensureIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await ensure(client, createIdempotencyTableInput(tableName), IDEMPOTENCY_TABLE_DEFINITION.timeToLiveAttribute);
}

async function ensure(
  client: DynamoDBClient,
  input: ReturnType<typeof createTableInput>,
  ttlAttribute: string,
): Promise<void> {
  const tableName = input.TableName!;
  try {
    await client.send(new CreateTableCommand(input));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
