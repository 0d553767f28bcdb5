import { classifyFailure } from '../domain/failure-classification.js';
import { LOCAL_RESTART } from '../domain/local-restart.js';
import { Phase } from '../domain/phase.js';
import { FailureReason } from '../domain/reasons.js';
import { cancelOfCause } from '../domain/transitions.js';
import { parseWorkflowInput } from '../domain/workflow-input.js';
import type { StatusObservation, Termination, TransitionResult } from '../ports/index.js';
import { announce, disarmDeadline } from './announce.js';
import { type Engine, policyFor, STOP_ERRORS } from './engine.js';
import { recordRunning, settleRun } from './record-running.js';

export type CompletionResult = { kind: 'ignored'; why: string } | ({ kind: 'transition' } & TransitionResult);

/**
 * Moves an execution to what Step Functions says about it. Duplicate, late and
 * out-of-order observations change nothing: every write is conditioned on phase and token.
 */
export async function completeExecution(
  engine: Engine,
  observation: StatusObservation,
  options: { actor?: string } = {},
): Promise<CompletionResult> {
  const input = parseWorkflowInput(observation.input);
  if (!input) return { kind: 'ignored', why: `execution ${observation.executionArn} was not started by Lockstep` };
  const { executionId, targetResource, workflowId, workflowVersion, fencingToken } = input.lockstep;
  const executionRef = { name: observation.name, arn: observation.executionArn };

  if (observation.status === 'RUNNING' || observation.status === 'PENDING_REDRIVE') {
    // The run names its target: a Pending execution is read from it, with no index lookup.
    const record = await engine.store.getExecution(executionId, await engine.store.getTarget(targetResource));
    if (!record) return { kind: 'ignored', why: `execution ${executionId} does not exist` };
    // The admission only starts the run: this event is what records it Running, with its deadline.
    if (record.execution.phase === Phase.Pending)
      return {
        kind: 'transition',
        ...(await recordRunning(engine, record, fencingToken, executionRef, observation.startDate)),
      };
    await settleRun(engine, record.execution, observation.executionArn);
    return {
      kind: 'transition',
      changed: false,
      record,
      why: `execution ${executionId} is already ${record.execution.phase}`,
    };
  }

  const termination = await terminationOf(engine, observation);
  // A run stopped by a person's cancel: recorded as theirs, whether this is their cancel or the status event of its stop.
  const cancel =
    observation.status === 'ABORTED' && observation.error === STOP_ERRORS.cancelled
      ? cancelOfCause(observation.cause)
      : undefined;
  const result = await engine.store.finish({
    executionId,
    targetResource,
    termination,
    // Completion time is never left unset: a missing stopDate falls back to the event's time, then to now.
    at: observation.stopDate ?? observation.observedAt ?? engine.clock.now(),
    startTime: observation.startDate,
    executionRef,
    actor: options.actor ?? engine.actor,
    ...(cancel && { cancel }),
    policy: policyFor(engine, workflowId, workflowVersion),
  });
  if (result.changed) await announce(engine, result.record);
  // Ended by someone else first (a cancel through the API, which arms and disarms nothing): its deadline is disarmed here.
  else if (result.record.execution.startTime !== undefined) await disarmDeadline(engine, executionId);
  return { kind: 'transition', ...result };
}

async function terminationOf(engine: Engine, observation: StatusObservation): Promise<Termination> {
  if (observation.status === 'SUCCEEDED') return { phase: Phase.Completed };
  if (observation.status === 'ABORTED') {
    if (observation.error === STOP_ERRORS.cancelled) {
      return {
        phase: Phase.Failed,
        failure: {
          reason: FailureReason.Cancelled,
          message: observation.cause ?? 'cancelled',
          wasExecutionFailure: false,
        },
      };
    }
    if (observation.error === STOP_ERRORS.deadline) {
      return {
        phase: Phase.Failed,
        failure: {
          reason: FailureReason.DeadlineExceeded,
          message: observation.cause ?? 'deadline exceeded',
          wasExecutionFailure: true,
        },
      };
    }
    return lockStolen(
      `the Step Functions execution was stopped outside the engine${observation.cause ? ` (${observation.cause})` : ''}`,
    );
  }
  if (observation.status === 'FAILED' && observation.error === LOCAL_RESTART.error) {
    return lostInRestart(observation.cause);
  }
  const site = await engine.driver.failureSite(observation.executionArn);
  const classification = classifyFailure({
    status: observation.status === 'TIMED_OUT' ? 'TIMED_OUT' : 'FAILED',
    ...(observation.error && { error: observation.error }),
    ...(observation.cause && { cause: observation.cause }),
    ...(site.failedStep && { failedStep: site.failedStep }),
    ran: site.ran,
  });
  return {
    phase: Phase.Failed,
    failure: {
      reason: classification.reason,
      message: classification.message,
      wasExecutionFailure: classification.wasExecutionFailure,
      ...(site.failedStep && { failedStep: site.failedStep }),
    },
  };
}

/** Local mode lost the run in a restart: nothing says it did no harm, so it counts as a failure of the run (the target is blocked). */
export function lostInRestart(cause: string = LOCAL_RESTART.cause): Termination {
  return {
    phase: Phase.Failed,
    failure: { reason: FailureReason.Unknown, message: `the workflow was lost: ${cause}`, wasExecutionFailure: true },
  };
}

/**
 * Someone else stopped or deleted the run: the lock is released, nothing is counted or
 * blocked (reason Unknown with no execution failure: see `isInterruption` in the domain).
 */
export function lockStolen(message: string): Termination {
  return { phase: Phase.Failed, failure: { reason: FailureReason.Unknown, message, wasExecutionFailure: false } };
}
