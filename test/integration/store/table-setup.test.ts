import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createTableInput } from '../../../lib/adapters/dynamodb/table-definition.js';
import { ensureTable } from '../../../lib/adapters/dynamodb/table-setup.js';
import { TABLE_DEFINITION } from '../../../lib/contract/table.js';
import { localDynamoDbClient } from '../../../lib/local/dynamodb-local.js';

describe('the engine table in a kept data folder', () => {
  it('gets the indexes added since it was created, so an earlier version’s data folder still starts', async () => {
    const client = localDynamoDbClient(inject('dynamodbEndpoint'));
    const tableName = `lockstep-test-${randomUUID()}`;
    const current = createTableInput(tableName);
    // The table as the previous version made it: without the by-created index.
    const { byCreated } = TABLE_DEFINITION.indexes;
    await client.send(
      new CreateTableCommand({
        ...current,
        AttributeDefinitions: current.AttributeDefinitions!.filter(
          (a) => a.AttributeName !== byCreated.partitionKey && a.AttributeName !== byCreated.sortKey,
        ),
        GlobalSecondaryIndexes: current.GlobalSecondaryIndexes!.filter((i) => i.IndexName !== byCreated.name),
      }),
    );

    await ensureTable(client, tableName);
    await ensureTable(client, tableName);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      Object.values(TABLE_DEFINITION.indexes)
        .map((i) => i.name)
        .sort(),
    );
    client.destroy();
  });
});
