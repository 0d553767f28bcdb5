import { FailureReason } from './reasons.js';

/** What is known about a failure: from a status event or DescribeExecution, or from a failed StartExecution. */
export interface FailureEvidence {
  /** Step Functions' status (FAILED, TIMED_OUT, ABORTED), or `START_FAILED` when StartExecution itself failed. */
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'START_FAILED';
  error?: string;
  cause?: string;
  failedStep?: string;
  /** Whether any state of the workflow was entered. */
  ran: boolean;
}

export interface Classification {
  reason: FailureReason;
  wasExecutionFailure: boolean;
  message: string;
}

interface Rule {
  reason: FailureReason;
  matches: (error: string, cause: string, status: FailureEvidence['status']) => boolean;
}

const any = (pattern: RegExp) => (error: string, cause: string) => pattern.test(error) || pattern.test(cause);

/** First match wins: the order settles overlaps (a Lambda killed by a signal after an OOM says both). */
const RULES: readonly Rule[] = [
  {
    reason: FailureReason.DeadlineExceeded,
    matches: (error, _cause, status) =>
      status === 'TIMED_OUT' ||
      /^States\.(Timeout|HeartbeatTimeout)$/.test(error) ||
      /^Lockstep\.DeadlineExceeded$/.test(error),
  },
  {
    reason: FailureReason.OOMKilled,
    matches: any(
      /out ?of ?memory|OutOfMemory|\bOOM|MemoryError|signal: killed|Runtime\.OutOfMemory|exit(ed)? (code|status) 137/i,
    ),
  },
  {
    reason: FailureReason.ImagePullBackOff,
    matches: any(/ImagePull|ErrImagePull|CannotPullContainer|pull access denied|manifest unknown/i),
  },
  {
    reason: FailureReason.Forbidden,
    matches: any(/AccessDenied|not authorized|Unauthorized|Forbidden|\b403\b|InvalidClientTokenId|ExpiredToken/i),
  },
  {
    reason: FailureReason.ResourceExhausted,
    matches: any(
      /Throttl|TooManyRequests|quota|LimitExceeded|ProvisionedThroughputExceeded|RequestLimitExceeded|ServiceUnavailable|SlowDown|\b429\b/i,
    ),
  },
  {
    reason: FailureReason.ConfigurationError,
    matches: any(
      /^States\.(Runtime|QueryEvaluationError|ResultPathMatchFailure|ParameterPathFailure|IntrinsicFailure|NoChoiceMatched)$|InvalidDefinition|StateMachineDoesNotExist|StateMachineDeleting|InvalidArn|InvalidName|InvalidExecutionInput|InvalidParameter|ValidationException|ResourceNotFound|ConfigurationError/i,
    ),
  },
];

/**
 * Maps a Step Functions failure to the failure reasons of API.md. `wasExecutionFailure` is
 * true when the workflow actually ran (a state was entered), false for failures to start
 * and for errors before the first step: only the former block the target.
 */
export function classifyFailure(evidence: FailureEvidence): Classification {
  const error = evidence.error ?? '';
  const cause = evidence.cause ?? '';
  const wasExecutionFailure = evidence.status !== 'START_FAILED' && evidence.ran;
  const rule = RULES.find((candidate) => candidate.matches(error, cause, evidence.status));
  const reason = rule?.reason ?? (error ? FailureReason.TaskFailed : FailureReason.Unknown);
  const where = evidence.failedStep ? ` in step ${evidence.failedStep}` : '';
  const what =
    evidence.status === 'START_FAILED'
      ? 'the workflow could not be started'
      : evidence.status === 'TIMED_OUT'
        ? 'the workflow timed out'
        : 'the workflow failed';
  const detail = [error, cause].filter(Boolean).join(': ');
  return { reason, wasExecutionFailure, message: `${what}${where}${detail ? ` (${detail})` : ''}` };
}
