import type { ExecutionRecord } from '../domain/execution.js';
import { Phase, isTerminal } from '../domain/phase.js';
import { DomainEventType } from '../ports.js';
import type { Engine } from './engine.js';

const EVENT_OF_PHASE = {
  [Phase.Running]: DomainEventType.Started,
  [Phase.Completed]: DomainEventType.Completed,
  [Phase.Failed]: DomainEventType.Failed,
  [Phase.Skipped]: DomainEventType.Skipped,
} as const;

/**
 * After a transition is stored: the deadline of an ended execution disarmed, a log line, its metrics, and the domain event. The
 * transition and its audit event are already durable; a failed publish is logged, never
 * undone, and never fails the caller (domain events are notifications, the audit trail is the record).
 */
export async function announce(engine: Engine, record: ExecutionRecord, options: { startFailed?: boolean } = {}): Promise<void> {
  const { execution } = record;
  if (execution.phase === Phase.Pending) return;
  // Only a run that started can have a deadline armed (a refused or never-started one has none to disarm).
  if (isTerminal(execution.phase) && execution.startTime !== undefined && engine.deadlines) {
    try {
      await engine.deadlines.cancel(execution.id);
    } catch (error) {
      // Harmless: a deadline that fires for an ended execution finds nothing to do.
      engine.logger.warn('disarming the deadline failed', { executionId: execution.id, error: (error as Error).message });
    }
  }
  const keys = { executionId: execution.id, targetResource: execution.targetResource, correlationId: execution.correlationId, workflowId: execution.workflowId };
  engine.logger.info(`execution ${execution.phase}`, {
    ...keys,
    phase: execution.phase,
    ...(execution.skipDetails && { skipDetails: execution.skipDetails }),
    ...(execution.failureDetails && { failureDetails: execution.failureDetails }),
  });
  if (execution.phase === Phase.Skipped) engine.metrics.executionSkipped(execution);
  if (execution.phase === Phase.Completed || execution.phase === Phase.Failed) engine.metrics.executionEnded(execution);
  if (options.startFailed) engine.metrics.startFailed(execution);
  try {
    await engine.publisher.publish(EVENT_OF_PHASE[execution.phase], execution);
  } catch (error) {
    engine.logger.error('publishing the domain event failed', { ...keys, error: (error as Error).message });
  }
}
