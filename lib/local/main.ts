// `npm start`: local mode. Today it brings up the storage layer (DynamoDB Local and the
// engine's table); the HTTP API, Step Functions and EventBridge endpoints join it as the
// lifecycle and handler issues land.
import { mkdirSync } from 'node:fs';
import { ensureTable } from '../adapters/dynamodb/table-setup.js';
import { ConfigurationError, readLocalConfig } from '../config.js';
import { JavaMissingError, localDynamoDbClient, startDynamoDbLocal, type RunningDynamoDbLocal } from './dynamodb-local.js';

function fail(message: string): never {
  console.error(`lockstep: ${message}`);
  process.exit(1);
}

let config;
try {
  config = readLocalConfig(process.env);
} catch (error) {
  if (error instanceof ConfigurationError) fail(error.message);
  throw error;
}

let dynamodb: RunningDynamoDbLocal | undefined;
const shutdown = async (signal: string) => {
  console.log(`lockstep: ${signal} received, stopping`);
  await dynamodb?.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

console.log('lockstep: starting local mode');
let endpoint = config.dynamodbEndpoint;
if (!endpoint) {
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  console.log(`lockstep: [1/2] starting DynamoDB Local (${config.dataDir ? `data in ${config.dataDir}` : 'in memory'})`);
  try {
    dynamodb = await startDynamoDbLocal({ ...(config.dataDir && { dataDir: config.dataDir }) });
  } catch (error) {
    fail(error instanceof JavaMissingError ? error.message : `DynamoDB Local failed to start: ${(error as Error).message}`);
  }
  endpoint = dynamodb.endpoint;
}
console.log(`lockstep: [2/2] creating table ${config.tableName}`);
const client = localDynamoDbClient(endpoint);
try {
  await ensureTable(client, config.tableName);
} catch (error) {
  await dynamodb?.stop();
  fail(`could not create table ${config.tableName} on ${endpoint}: ${(error as Error).message}`);
}
console.log(`DynamoDB:       ${endpoint} (table ${config.tableName})`);
console.log('API:            not yet: the HTTP API arrives with local mode (issue 4)');
console.log('Step Functions: not yet: the local endpoint arrives with the lifecycle (issue 3)');
console.log('EventBridge:    not yet: arrives with local mode (issue 4)');
console.log('lockstep: storage is up. Press Ctrl-C to stop.');
// Stay up until a signal arrives, also when storage is an external DYNAMODB_ENDPOINT.
setInterval(() => {}, 1 << 30);
