import type { Execution } from '../domain/execution.js';
import type { TransitionResult } from '../ports/index.js';
import { announce } from './announce.js';
import { type Engine, policyFor } from './engine.js';

/**
 * Arms the expiry of an execution awaiting approval at its `requiredBy`, through the deadline
 * machinery (timers locally, a schedule on AWS): the deadline that fires finds it awaiting and
 * expires it (`enforceDeadlineOf`). A failure to arm is harmless: the sweeper expires it.
 */
export async function armApprovalDeadline(engine: Engine, execution: Execution): Promise<void> {
  if (!execution.approval || !engine.deadlines) return;
  try {
    await engine.deadlines.schedule(execution.id, new Date(execution.approval.requiredBy));
  } catch (error) {
    engine.logger.warn('arming the approval deadline failed; the sweeper will expire it', {
      executionId: execution.id,
      error: (error as Error).message,
    });
  }
}

/** Ends an execution whose approval has run out (Failed/ApprovalExpired); unchanged when it was decided or ended first. */
export async function expireApproval(engine: Engine, execution: Execution): Promise<TransitionResult> {
  const result = await engine.store.expireApproval({
    executionId: execution.id,
    targetResource: execution.targetResource,
    at: engine.clock.now(),
    policy: policyFor(engine, execution.workflowId, execution.workflowVersion),
  });
  if (result.changed) {
    engine.metrics.approvalDecided('expired', result.record.execution);
    await announce(engine, result.record);
  }
  return result;
}
