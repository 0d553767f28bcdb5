import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { readLambdaSettings } from '../../contract/environment.js';
import { createApiHandler } from '../../handlers/api-handler.js';
import { type Authenticator, iamAuthenticator } from '../../handlers/authenticators.js';
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

/**
 * The api Lambda function: AWS_IAM has authenticated the caller, and IAM allowed its role; the
 * construct's `intermediaries` say whose requests may carry `onBehalfOf`.
 *
 * Its cold start, measured (bundles imported in fresh processes, medians of 7 on a shared
 * 2-CPU machine): the bundle imported in 171 ms against the baseline's 88 ms; of its parts
 * imported alone, the SDK's DynamoDB and Step Functions clients 123 ms, the Powertools
 * idempotency layer with its DynamoDB store 133 ms (the SDK core they share included), the
 * route schemas (zod) 38 ms, Powertools Logger with middy 38 ms, the catalog reader 43 ms.
 * To the first answer of an admitted request (`npm run bench -- --only cold-start`), over the
 * baseline's import and first conditional write: 1.1 to 2.06 across six runs, the api's import
 * about twice the baseline's (286 vs 137 ms in one run) and its request about twice one write
 * (two calls in sequence, on two clients that each pay their first request's costs).
 * Loading the idempotency layer only on the first request with a key was tried and left out:
 * esbuild (one file, no code splitting) keeps a dynamically imported package whole, and the
 * bundle grew from 436 to 487 KiB, over the 450 KiB bound (one run with it: 1.45, within this machine's noise).
 */
export function apiLambda(env: Record<string, string | undefined>) {
  const runtime = buildLambdaRuntime(env, { idempotency: DynamoDBPersistenceLayer });
  const authenticate = iamAuthenticator(readLambdaSettings(env).intermediaries);
  return lambdaHandler(
    apiFunction({ engine: runtime.engine, authenticate, idempotencyStore: runtime.idempotencyStore }),
    runtime.logger,
  );
}
