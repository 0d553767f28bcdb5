import type { ExecutionRecord } from '../domain/execution.js';
import { isTerminal, Phase } from '../domain/phase.js';
import type { Engine } from './engine.js';

/**
 * After a transition is stored: the deadline of an ended execution disarmed, a log line and
 * its metrics. Its domain event is not sent from here: the outbox publisher sends it from the
 * table's stream (publish-domain-events.ts), so that it is sent even when the bus is down now.
 */
export async function announce(
  engine: Engine,
  record: ExecutionRecord,
  options: { startFailed?: boolean } = {},
): Promise<void> {
  const { execution } = record;
  if (execution.phase === Phase.Pending) return;
  // Only a run that started can have a deadline armed (a refused or never-started one has none to disarm).
  if (isTerminal(execution.phase) && execution.startTime !== undefined) await disarmDeadline(engine, execution.id);
  const keys = {
    executionId: execution.id,
    targetResource: execution.targetResource,
    correlationId: execution.correlationId,
    workflowId: execution.workflowId,
  };
  engine.logger.info(`execution ${execution.phase}`, {
    ...keys,
    phase: execution.phase,
    ...(execution.skipDetails && { skipDetails: execution.skipDetails }),
    ...(execution.failureDetails && { failureDetails: execution.failureDetails }),
  });
  if (execution.phase === Phase.Skipped) engine.metrics.executionSkipped(execution);
  if (execution.phase === Phase.Completed || execution.phase === Phase.Failed) engine.metrics.executionEnded(execution);
  if (options.startFailed) engine.metrics.startFailed(execution);
}

/** Deletes an ended execution's deadline, where this engine arms them. A failure is harmless: a deadline that fires for an ended execution finds nothing to do. */
export async function disarmDeadline(engine: Engine, executionId: string): Promise<void> {
  if (!engine.deadlines) return;
  try {
    await engine.deadlines.cancel(executionId);
  } catch (error) {
    engine.logger.warn('disarming the deadline failed', { executionId, error: (error as Error).message });
  }
}
