// API Gateway (REST, v1 proxy events) → the routes of API.md. AWS_IAM has authenticated the caller.
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createApiHandler } from '../lib/handlers/api-handler.js';
import { iamAuthenticator } from '../lib/handlers/authenticators.js';
import { buildLambdaRuntime } from '../lib/runtime.js';

const runtime = buildLambdaRuntime(process.env, { idempotency: DynamoDBPersistenceLayer });

export const handler = middy(
  createApiHandler({
    engine: runtime.engine,
    authenticate: iamAuthenticator,
    idempotencyStore: runtime.idempotencyStore,
    appendLogKeys: (keys) => runtime.logger.appendKeys(keys),
  }),
).use(injectLambdaContext(runtime.logger, { resetKeys: true, correlationIdPath: 'requestContext.requestId' }));
