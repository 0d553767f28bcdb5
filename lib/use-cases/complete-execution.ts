import { classifyFailure } from '../domain/failure-classification.js';
import { FailureReason } from '../domain/reasons.js';
import { deadlineOf, type Execution } from '../domain/execution.js';
import { Phase, isTerminal } from '../domain/phase.js';
import type { StatusObservation, Termination, TransitionResult } from '../ports.js';
import { parseWorkflowInput } from '../workflows/workflow-input.js';
import { announce } from './announce.js';
import { STOP_ERRORS, policyFor, type Engine } from './engine.js';

export type CompletionResult = { kind: 'ignored'; why: string } | ({ kind: 'transition' } & TransitionResult);

/**
 * Moves an execution to what Step Functions says about it. Duplicate, late and
 * out-of-order observations change nothing: every write is conditioned on phase and token.
 */
export async function completeExecution(engine: Engine, observation: StatusObservation, options: { actor?: string } = {}): Promise<CompletionResult> {
  const input = parseWorkflowInput(observation.input);
  if (!input) return { kind: 'ignored', why: `execution ${observation.executionArn} was not started by Lockstep` };
  const { executionId, targetResource, workflowId, workflowVersion, fencingToken } = input.lockstep;
  const executionRef = { name: observation.name, arn: observation.executionArn };

  if (observation.status === 'RUNNING' || observation.status === 'PENDING_REDRIVE') {
    const record = await engine.store.getExecution(executionId);
    if (!record || isTerminal(record.execution.phase)) return { kind: 'ignored', why: `execution ${executionId} is not running` };
    let result: TransitionResult = { changed: false, record, why: `execution ${executionId} is already Running` };
    // The start may have crashed after StartExecution: the RUNNING event records it.
    if (record.execution.phase === Phase.Pending) {
      result = await engine.store.markRunning({ pending: { execution: record.execution, events: record.events }, fencingToken, executionRef, startTime: observation.startDate, actor: engine.actor });
      if (result.changed) await announce(engine, result.record);
    }
    // The deadline is armed here, off the request path; the sweeper catches one whose arming failed.
    await armDeadline(engine, result.record.execution);
    return { kind: 'transition', ...result };
  }

  const termination = await terminationOf(engine, observation);
  const result = await engine.store.finish({
    executionId,
    targetResource,
    termination,
    // Completion time is never left unset: a missing stopDate falls back to the event's time, then to now.
    at: observation.stopDate ?? observation.observedAt ?? engine.clock.now(),
    startTime: observation.startDate,
    executionRef,
    actor: options.actor ?? engine.actor,
    policy: policyFor(engine, workflowId, workflowVersion),
  });
  if (result.changed) await announce(engine, result.record);
  return { kind: 'transition', ...result };
}

async function armDeadline(engine: Engine, execution: Execution): Promise<void> {
  const deadline = deadlineOf(execution);
  if (!deadline || !engine.deadlines || execution.phase !== Phase.Running) return;
  try {
    await engine.deadlines.schedule(execution.id, deadline);
  } catch (error) {
    engine.logger.warn('arming the deadline failed; the sweeper will enforce it', { executionId: execution.id, error: (error as Error).message });
  }
}

async function terminationOf(engine: Engine, observation: StatusObservation): Promise<Termination> {
  if (observation.status === 'SUCCEEDED') return { phase: Phase.Completed };
  if (observation.status === 'ABORTED') {
    if (observation.error === STOP_ERRORS.cancelled) {
      return { phase: Phase.Failed, failure: { reason: FailureReason.Cancelled, message: observation.cause ?? 'cancelled', wasExecutionFailure: false } };
    }
    if (observation.error === STOP_ERRORS.deadline) {
      return { phase: Phase.Failed, failure: { reason: FailureReason.DeadlineExceeded, message: observation.cause ?? 'deadline exceeded', wasExecutionFailure: true } };
    }
    return lockStolen(`the Step Functions execution was stopped outside the engine${observation.cause ? ` (${observation.cause})` : ''}`);
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
    failure: { reason: classification.reason, message: classification.message, wasExecutionFailure: classification.wasExecutionFailure, ...(site.failedStep && { failedStep: site.failedStep }) },
  };
}

/**
 * Someone else stopped or deleted the run: the lock is released, nothing is counted or
 * blocked (reason Unknown with no execution failure: see `isInterruption` in the domain).
 */
export function lockStolen(message: string): Termination {
  return { phase: Phase.Failed, failure: { reason: FailureReason.Unknown, message, wasExecutionFailure: false } };
}
