import { ExecutionNameTakenError, WorkflowStartError } from '../domain/errors.js';
import { executionName } from '../domain/execution-name.js';
import type { ExecutionRecord } from '../domain/execution.js';
import { classifyFailure } from '../domain/failure-classification.js';
import { FailureReason } from '../domain/reasons.js';
import { Phase } from '../domain/phase.js';
import { workflowInput, parseWorkflowInput } from '../workflows/workflow-input.js';
import { announce } from './announce.js';
import { completeExecution } from './complete-execution.js';
import { STOP_ERRORS, policyFor, type Engine } from './engine.js';

export type StartResult =
  | { kind: 'started'; record: ExecutionRecord }
  /** The service refused the start: the execution is Failed (a pre-execution failure). */
  | { kind: 'failed-to-start'; record: ExecutionRecord; code: string }
  /** The start's outcome is unknown (network); the execution stays Pending and the sweeper retries. */
  | { kind: 'pending'; record: ExecutionRecord; error: unknown };

/**
 * Starts the workflow of an admitted execution under its deterministic name. Safe to
 * repeat (the sweeper does): the same name and input is the same Step Functions execution.
 */
export async function startExecution(engine: Engine, pending: ExecutionRecord & { fencingToken: number }): Promise<StartResult> {
  const { execution, fencingToken } = pending;
  const name = executionName(execution.targetResource, fencingToken);
  const policy = policyFor(engine, execution.workflowId, execution.workflowVersion);
  let stateMachineArn: string;
  try {
    stateMachineArn = engine.stateMachines.stateMachineArn(engine.catalog.resolve(execution.workflowId, execution.workflowVersion));
  } catch (error) {
    return failToStart(engine, pending, 'StateMachineDoesNotExist', (error as Error).message, policy);
  }
  const input = workflowInput(pending);

  let started: { executionArn: string; startDate: Date };
  try {
    started = await engine.driver.start({ stateMachineArn, name, input });
  } catch (error) {
    if (error instanceof WorkflowStartError) return failToStart(engine, pending, error.code, error.message, policy);
    if (!(error instanceof ExecutionNameTakenError)) return { kind: 'pending', record: pending, error };
    // The name is ours alone (target + token), so an execution under it is this one,
    // started by an earlier try whose answer was lost; it may even have finished since.
    const existing = await engine.driver.describe(engine.driver.executionArn(stateMachineArn, name));
    if (!existing || parseWorkflowInput(existing.input)?.lockstep.executionId !== execution.id) {
      return failToStart(engine, pending, 'ExecutionAlreadyExists', `another execution is named ${name}`, policy);
    }
    started = existing;
    if (existing.status !== 'RUNNING') {
      const running = await engine.store.markRunning({ pending, fencingToken, executionRef: { name, arn: existing.executionArn }, startTime: existing.startDate, actor: engine.actor });
      if (running.changed) await announce(engine, running.record);
      const completed = await completeExecution(engine, existing);
      return { kind: 'started', record: completed.kind === 'transition' ? completed.record : pending };
    }
  }

  const result = await engine.store.markRunning({
    pending,
    fencingToken,
    executionRef: { name, arn: started.executionArn },
    startTime: started.startDate,
    actor: engine.actor,
  });
  if (result.changed) await announce(engine, result.record);
  // Cancelled while the start was in flight: the run must not go on.
  if (!result.changed && result.record.execution.failureDetails?.reason === FailureReason.Cancelled) {
    await engine.driver.stop(started.executionArn, STOP_ERRORS.cancelled, result.record.execution.failureDetails.message);
  }
  return { kind: 'started', record: result.record };
}

async function failToStart(engine: Engine, pending: ExecutionRecord, code: string, message: string, policy: Engine['policy']): Promise<StartResult> {
  const classification = classifyFailure({ status: 'START_FAILED', error: code, cause: message, ran: false });
  const result = await engine.store.finish({
    executionId: pending.execution.id,
    targetResource: pending.execution.targetResource,
    termination: { phase: Phase.Failed, failure: { reason: classification.reason, message: classification.message, wasExecutionFailure: false } },
    at: engine.clock.now(),
    actor: engine.actor,
    policy,
  });
  if (result.changed) await announce(engine, result.record, { startFailed: true });
  return { kind: 'failed-to-start', record: result.record, code };
}
