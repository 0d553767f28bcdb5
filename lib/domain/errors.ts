import { formatIssues } from './issues.js';
import type * as z from './zod.js';

/** Base of every error the engine raises on purpose; keeps the underlying `cause`. */
export class LockstepError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that breaks the contract; `details` name each offending field. */
export class ValidationError extends LockstepError {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * A ValidationError from a zod error: each detail names where the bad input was (`body.timeoutSeconds`,
 * `query.limit`, `header Idempotency-Key`, `detail.workflowId`) and what is wrong with it (`formatIssues`).
 */
export function validationErrorFrom(
  error: z.core.$ZodError,
  where: string,
  message = `the ${where.split(' ')[0]} is not valid`,
): ValidationError {
  const noun = where === 'query' ? 'parameter' : 'field';
  const details = formatIssues(error, {
    root: where,
    unknownKey: (key, path) => ({ path: [...path, key], message: `not a known ${noun}` }),
  });
  return new ValidationError(message, details);
}

export class NotFoundError extends LockstepError {}

/** A request names a workflow, or a version of one, that the catalog does not have. */
export class UnknownWorkflowError extends LockstepError {}

/** A request that is valid but conflicts with the current state (for example clearing a target that is not blocked). */
export class ConflictError extends LockstepError {}

/** StartExecution refused: the name is taken by an execution with another input, or one already closed. */
export class ExecutionNameTakenError extends LockstepError {}

/** StartExecution failed; `code` is the service's error name (classified into a failure reason). */
export class WorkflowStartError extends LockstepError {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A request the caller may not make whatever its role (an approval by the execution's own requester). */
export class ForbiddenError extends LockstepError {}
