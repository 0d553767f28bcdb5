import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { ExecutionRecord } from '../domain/execution.js';
import { Phase, isTerminal } from '../domain/phase.js';
import { FailureReason } from '../domain/reasons.js';
import { announce } from './announce.js';
import { STOP_ERRORS, policyFor, type Engine } from './engine.js';

/**
 * Stops an execution on request. It ends Failed/Cancelled and the target is not blocked.
 * Returns what is stored afterwards: when the workflow finished first, that outcome stands.
 */
export async function cancelExecution(engine: Engine, input: { executionId: string; requestedBy: string }): Promise<{ cancelled: boolean; record: ExecutionRecord }> {
  const current = await engine.store.getExecution(input.executionId);
  if (!current) throw new NotFoundError(`execution ${input.executionId} does not exist`);
  if (isTerminal(current.execution.phase)) throw new ConflictError(`execution ${input.executionId} is already ${current.execution.phase}`);
  const message = `cancelled by ${input.requestedBy}`;
  const arn = current.execution.executionRef?.arn;
  if (arn) await engine.driver.stop(arn, STOP_ERRORS.cancelled, message);
  // A Pending execution has no run yet; a start racing with this sees the cancel and stops its run.
  const result = await engine.store.finish({
    executionId: input.executionId,
    targetResource: current.execution.targetResource,
    termination: { phase: Phase.Failed, interrupted: true, failure: { reason: FailureReason.Cancelled, message, wasExecutionFailure: false } },
    at: engine.clock.now(),
    actor: input.requestedBy,
    policy: policyFor(engine, current.execution.workflowId, current.execution.workflowVersion),
  });
  if (result.changed) await announce(engine, result.record);
  // The ABORTED event of the stop may have recorded the cancel first: what counts is how it ended.
  return { cancelled: result.record.execution.failureDetails?.reason === FailureReason.Cancelled, record: result.record };
}
