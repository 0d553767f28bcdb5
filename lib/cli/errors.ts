import { LockstepError } from '../domain/errors.js';

/** What the command's exit code says (API.md, "The `lockstep` command"). */
export const ExitCode = {
  Success: 0,
  /** Usage, network, authentication and every other API error. */
  Error: 1,
  /** The execution ended Failed. */
  Failed: 2,
  /** The request was refused: the execution is Skipped. */
  Refused: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the command reports on standard error, with the exit code it ends with. */
export class CliError extends LockstepError {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Error,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A non-2xx answer of the API, with its `error.code`, `error.message` and `error.details`. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }

  /** `code: message`, then one line per detail. */
  describe(): string {
    return [`${this.code}: ${this.message}`, ...this.details.map((detail) => `  - ${detail}`)].join('\n');
  }
}

/** The API could not be reached (refused, reset, no answer in time, a bad URL). */
export class UnreachableError extends CliError {}
