// What the engine says about itself: API.md's metrics and structured logs.
import type { Execution } from '../domain/execution.js';

/** Counters and timings of API.md's metrics table. */
export interface EngineMetrics {
  /** `workflowexecution_total` and `workflowexecution_duration_seconds`, by outcome. */
  executionEnded(execution: Execution): void;
  /** `workflowexecution_skip_total`, by reason. */
  executionSkipped(execution: Execution): void;
  /** `workflowexecution_start_failures_total`, by reason. */
  startFailed(execution: Execution): void;
  /** `workflowexecution_approval_total`, by decision (an expiry counts as `expired`). */
  approvalDecided(decision: 'approve' | 'reject' | 'expired', execution: Execution): void;
  /** `lockstep_sweeper_repairs_total`, by repair (beyond API.md: what the sweeper had to fix). */
  sweepRepaired(repair: string, count: number): void;
  /** `lockstep_domain_events_unpublished_total` (beyond API.md): events the bus refused or did not answer for, to be published again from the stream. */
  domainEventsUnpublished(count: number): void;
}

/** Structured logging; Powertools Logger fits it. */
export interface EngineLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}
