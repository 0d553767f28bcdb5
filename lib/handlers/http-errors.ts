import { IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  ConflictError,
  ForbiddenError,
  LockstepError,
  NotFoundError,
  UnknownWorkflowError,
  ValidationError,
  validationErrorFrom,
} from '../domain/errors.js';
import { $ZodError } from '../domain/zod.js';
import type { EngineLogger } from '../ports/index.js';

/** An error that already knows its HTTP status and error code. */
export class HttpError extends LockstepError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
  }
}

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode: status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The one place that turns errors into responses (`{"error": {code, message, details?}}`).
 * Anything unexpected becomes a 500 that names the request id and nothing else.
 */
export function errorResponse(error: unknown, requestId: string, logger: EngineLogger): APIGatewayProxyResult {
  const known = describe(error);
  if (known) {
    const [status, code, message, details] = known;
    return jsonResponse(
      status,
      { error: { code, message, ...(details?.length && { details }) } },
      { 'x-request-id': requestId },
    );
  }
  logger.error('request failed', {
    requestId,
    error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
  });
  return jsonResponse(
    500,
    { error: { code: 'InternalError', message: `internal error; request id ${requestId}` } },
    { 'x-request-id': requestId },
  );
}

function describe(error: unknown): [number, string, string, string[]?] | undefined {
  if (error instanceof HttpError) return [error.status, error.code, error.message, error.details];
  if (error instanceof UnknownWorkflowError) return [400, 'UnknownWorkflow', error.message];
  if (error instanceof ValidationError) return [400, 'ValidationError', error.message, [...error.details]];
  if (error instanceof $ZodError) return describe(validationErrorFrom(error, 'request'));
  if (error instanceof ForbiddenError) return [403, 'Forbidden', error.message];
  if (error instanceof NotFoundError) return [404, 'NotFound', error.message];
  if (error instanceof ConflictError) return [409, 'Conflict', error.message];
  if (error instanceof IdempotencyAlreadyInProgressError)
    return [409, 'Conflict', 'a request with this Idempotency-Key is still in progress; retry it shortly'];
  if (error instanceof IdempotencyValidationError)
    return [409, 'Conflict', 'this Idempotency-Key was already used with a different request'];
  return undefined;
}
