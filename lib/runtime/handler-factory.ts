import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Clock } from '../ports/index.js';

/** The keys of the execution a request or an event is about, appended to every later line of its invocation. */
export type LogKeys = Record<string, string>;
export type InvocationHandler<E, R> = (event: E, context?: Context) => Promise<R>;

/**
 * One Lambda function's handler before it is wrapped: what only that function needs is
 * captured by the function's own definition (lib/runtime/functions/<name>.ts), so that its
 * bundle holds nothing of the others'.
 */
export interface FunctionDefinition<E, R> {
  /** The function's file under functions/ (`api`, `trigger`, …). */
  name: string;
  /** Where the event carries what every line of the invocation shows as `correlation_id`. */
  correlationIdPath?: string;
  /** The function's timeout on AWS: what a local invocation's context reports as its remaining time. */
  timeoutMs: number;
  /**
   * The handler, logging through `logger`: the engine's and the handler's lines go to it, and
   * `appendLogKeys` adds the request's keys (`executionId`, `targetResource`, `correlationId`).
   */
  build(logger: Logger, appendLogKeys: (keys: LogKeys) => void): InvocationHandler<E, R>;
}

/**
 * The one handler factory: a function's handler with its middy chain, as Lambda runs it.
 * Powertools' `injectLambdaContext` adds the Lambda context's keys and the correlation id to
 * every line of the invocation and removes them, with the request's keys, after it.
 */
export function lambdaHandler<E, R>(definition: FunctionDefinition<E, R>, logger: Logger) {
  return middy(definition.build(logger, (keys) => logger.appendKeys(keys))).use(
    injectLambdaContext(logger, {
      resetKeys: true,
      ...(definition.correlationIdPath && { correlationIdPath: definition.correlationIdPath }),
    }),
  );
}

/**
 * The same handler for local mode and the tests, where invocations run concurrently in one
 * process: each runs on a child of `logger` (one Lambda environment serves one invocation at
 * a time; here the keys one appends must not reach another's lines), with the context Lambda
 * would give it, so that its lines carry the keys of the Lambda function's lines.
 */
export function localHandler<E, R>(
  definition: FunctionDefinition<E, R>,
  logger: Logger,
  clock: Clock,
  newId: () => string,
): (event: E) => Promise<R> {
  return (event) => {
    const invocationLogger = logger.createChild();
    return lambdaHandler(definition, invocationLogger)(event, localContext(definition, newId(), clock));
  };
}

/** The Lambda context of a local invocation: the function's name and ARN in local mode's account, its timeout. */
function localContext(
  definition: Pick<FunctionDefinition<never, unknown>, 'name' | 'timeoutMs'>,
  requestId: string,
  clock: Clock,
): Context {
  const functionName = `lockstep-${definition.name}`;
  const startedAt = clock.now().getTime();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => definition.timeoutMs - (clock.now().getTime() - startedAt),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
