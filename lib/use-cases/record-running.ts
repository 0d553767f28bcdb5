// Pending → Running and what a run needs once its phase is known: shared by the start (the run it began) and the
// completion (a status event that overtook the start record).
import { deadlineOf, type Execution, type ExecutionRecord } from '../domain/execution.js';
import { Phase } from '../domain/phase.js';
import { FailureReason } from '../domain/reasons.js';
import type { TransitionResult } from '../ports/index.js';
import { announce } from './announce.js';
import { type Engine, STOP_ERRORS } from './engine.js';

/**
 * Pending → Running, once the run is known to have started, with the deadline armed. A run
 * whose execution was cancelled while it was being started must not go on: it is stopped.
 */
export async function recordRunning(
  engine: Engine,
  pending: ExecutionRecord,
  fencingToken: number,
  executionRef: { name: string; arn: string },
  startTime: Date,
): Promise<TransitionResult> {
  const result = await engine.store.markRunning({
    pending: { execution: pending.execution, events: pending.events },
    fencingToken,
    executionRef,
    startTime,
    actor: engine.actor,
  });
  if (result.changed) await announce(engine, result.record);
  await settleRun(engine, result.record.execution, executionRef.arn);
  return result;
}

/** What a run needs once its execution's phase is known: its deadline armed while Running, a stop when it was cancelled before it started. */
export async function settleRun(engine: Engine, execution: Execution, executionArn: string): Promise<void> {
  if (execution.phase === Phase.Running) await armDeadline(engine, execution);
  if (execution.failureDetails?.reason === FailureReason.Cancelled && execution.startTime === undefined) {
    await engine.driver.stop(executionArn, STOP_ERRORS.cancelled, execution.failureDetails.message);
  }
}

async function armDeadline(engine: Engine, execution: Execution): Promise<void> {
  const deadline = deadlineOf(execution);
  if (!deadline || !engine.deadlines) return;
  try {
    await engine.deadlines.schedule(execution.id, deadline);
  } catch (error) {
    engine.logger.warn('arming the deadline failed; the sweeper will enforce it', {
      executionId: execution.id,
      error: (error as Error).message,
    });
  }
}
