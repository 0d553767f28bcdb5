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

export class NotFoundError extends LockstepError {}

/** A request that is valid but conflicts with the current state (for example clearing a target that is not blocked). */
export class ConflictError extends LockstepError {}

/**
 * A write whose precondition no longer holds because another writer got there first:
 * a duplicate, late or stale transition. Callers treat it as "nothing to do".
 */
export class StaleTransitionError extends LockstepError {}

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
