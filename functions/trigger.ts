// EventBridge `WorkflowExecution Requested` → the same admission as POST /executions, idempotent by event id.
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createTriggerHandler } from '../lib/handlers/trigger-handler.js';
import { buildLambdaRuntime } from '../lib/runtime.js';

const runtime = buildLambdaRuntime(process.env, { idempotency: DynamoDBPersistenceLayer });

export const handler = middy(
  createTriggerHandler({
    engine: runtime.engine,
    idempotencyStore: runtime.idempotencyStore,
    appendLogKeys: (keys) => runtime.logger.appendKeys(keys),
  }),
).use(injectLambdaContext(runtime.logger, { resetKeys: true, correlationIdPath: 'id' }));
