import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

/**
 * Starts DynamoDB Local (in memory, on a free port) once for the integration tests, or uses
 * DYNAMODB_ENDPOINT when set. Teardown stops Java whether the tests passed or failed; if
 * the runner itself is killed, the launcher's relay stops it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DYNAMODB_ENDPOINT;
  if (external) {
    project.provide('dynamodbEndpoint', external);
    return async () => {};
  }
  const dynamodb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  return () => dynamodb.stop();
}
