import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createApiHandler } from '../../api/api-handler.js';
import { type Authenticator, iamAuthenticator } from '../../api/authenticators.js';
import type { Engine } from '../../use-cases/engine.js';
import { type FunctionDefinition, lambdaHandler } from '../handler-factory.js';
import { buildLambdaRuntime } from '../runtime.js';

/** API Gateway (REST, v1 proxy events) → the routes of API.md. */
export function apiFunction(parts: {
  engine: Engine;
  authenticate: Authenticator;
  idempotencyStore: BasePersistenceLayer;
}): FunctionDefinition<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    name: 'api',
    correlationIdPath: 'requestContext.requestId',
    // API Gateway's integration timeout, shorter than the function's: no answer reaches the caller later.
    timeoutMs: 29_000,
    build: (logger, appendLogKeys) =>
      createApiHandler({ ...parts, engine: { ...parts.engine, logger }, appendLogKeys }),
  };
}

/** The api Lambda function: AWS_IAM has authenticated the caller. */
export function apiLambda(env: Record<string, string | undefined>) {
  const runtime = buildLambdaRuntime(env, { idempotency: DynamoDBPersistenceLayer });
  return lambdaHandler(
    apiFunction({ engine: runtime.engine, authenticate: iamAuthenticator, idempotencyStore: runtime.idempotencyStore }),
    runtime.logger,
  );
}
