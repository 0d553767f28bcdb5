import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { CapacityMeter } from '../../lib/adapters/dynamodb/capacity-meter.js';
import { DynamoDbStore } from '../../lib/adapters/dynamodb/dynamodb-store.js';
import { ensureTable } from '../../lib/adapters/dynamodb/table-setup.js';
import { localDynamoDbClient } from '../../lib/local/dynamodb-local.js';

/** A fresh table on the shared DynamoDB Local, so test files never see each other's data. */
export async function createTestStore() {
  const client = localDynamoDbClient(inject('dynamodbEndpoint'));
  const meter = new CapacityMeter().attach(client);
  const tableName = `lockstep-test-${randomUUID()}`;
  const { streamArn } = await ensureTable(client, tableName);
  const store = new DynamoDbStore({ client, tableName });
  return { client, meter, tableName, streamArn, store };
}
