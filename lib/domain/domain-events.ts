import type { AuditEvent, AuditEventType } from './audit.js';
import type { Execution } from './execution.js';

/** The `detail-type` of each domain event (API.md, Events). */
export const DomainEventType = {
  AwaitingApproval: 'WorkflowExecution AwaitingApproval',
  Started: 'WorkflowExecution Started',
  Completed: 'WorkflowExecution Completed',
  Failed: 'WorkflowExecution Failed',
  Skipped: 'WorkflowExecution Skipped',
} as const;
export type DomainEventType = (typeof DomainEventType)[keyof typeof DomainEventType];

/** The `source` of every domain event. */
export const DOMAIN_EVENT_SOURCE = 'lockstep';

/** A stored transition as the engine announces it: `(execution.id, execution.phase)` identifies it. */
export interface DomainEvent {
  type: DomainEventType;
  execution: Execution;
}

/** API.md's route that reads an execution whole. */
function executionPath(id: string): string {
  return `/executions/${encodeURIComponent(id)}`;
}

/**
 * The detail of an event too large for the bus: what the execution is and which transition
 * this is, `truncated: true`, and `href`, the API route that reads the rest (parameters,
 * messages). Consumers drop duplicates by `(id, phase)` as for a whole detail. Every field
 * is bounded (a target is at most 1,024 characters, a correlation id 256, a workflow id
 * 128, a version 64, reasons are names), so the detail is a few KiB at most, far below
 * any bus's limit: a transition is always published, whole or like this.
 */
export interface TruncatedDetail
  extends Pick<
    Execution,
    'id' | 'targetResource' | 'workflowId' | 'workflowVersion' | 'workflowDigest' | 'correlationId' | 'source' | 'phase'
  > {
  createdAt: string;
  startTime?: string;
  completionTime?: string;
  durationSeconds?: number;
  skipDetails?: Pick<NonNullable<Execution['skipDetails']>, 'reason'>;
  failureDetails?: Pick<NonNullable<Execution['failureDetails']>, 'reason' | 'wasExecutionFailure' | 'failedAt'>;
  truncated: true;
  href: string;
}

export function truncatedDetailOf(execution: Execution): TruncatedDetail {
  const {
    id,
    targetResource,
    workflowId,
    workflowVersion,
    workflowDigest,
    correlationId,
    source,
    phase,
    createdAt,
    startTime,
    completionTime,
    durationSeconds,
  } = execution;
  const { skipDetails, failureDetails } = execution;
  return {
    id,
    targetResource,
    workflowId,
    workflowVersion,
    ...(workflowDigest !== undefined && { workflowDigest }),
    correlationId,
    source,
    phase,
    createdAt,
    ...(startTime !== undefined && { startTime }),
    ...(completionTime !== undefined && { completionTime }),
    ...(durationSeconds !== undefined && { durationSeconds }),
    ...(skipDetails && { skipDetails: { reason: skipDetails.reason } }),
    ...(failureDetails && {
      failureDetails: {
        reason: failureDetails.reason,
        wasExecutionFailure: failureDetails.wasExecutionFailure,
        failedAt: failureDetails.failedAt,
      },
    }),
    truncated: true,
    href: executionPath(id),
  };
}

/** The audit events that are transitions others hear of, and the event each becomes. */
const EVENT_OF_AUDIT_EVENT: Readonly<Partial<Record<AuditEventType, DomainEventType>>> = {
  'workflowexecution.approval.requested': DomainEventType.AwaitingApproval,
  'workflowexecution.execution.started': DomainEventType.Started,
  'workflowexecution.workflow.completed': DomainEventType.Completed,
  'workflowexecution.workflow.failed': DomainEventType.Failed,
  'workflowexecution.execution.skipped': DomainEventType.Skipped,
};

/** One stored write of an execution item: its audit trail and execution before and after. */
export interface StoredWrite {
  before?: { execution: Execution; events: readonly Pick<AuditEvent, 'type'>[] };
  after: { execution: Execution; events: readonly Pick<AuditEvent, 'type'>[] };
}

/**
 * The domain events of one stored write: one for each audit event it added that is a
 * transition (awaiting approval, started, completed, failed, skipped; not the admission,
 * which lives on the target until the run starts, nor a decision or a block clearance). The detail is the execution as
 * stored; a write that recorded a start and an end at once (a completion that overtook the
 * start record) announces the start with the execution as it stood while Running.
 */
export function domainEventsOf({ before, after }: StoredWrite): DomainEvent[] {
  const added = after.events.slice(before?.events.length ?? 0);
  const events: DomainEvent[] = [];
  added.forEach((event, index) => {
    const type = EVENT_OF_AUDIT_EVENT[event.type];
    if (!type) return;
    // Announced by the write that admitted it, the only one that stores it awaiting with that event new: the
    // records written later (its start, its end) carry the event in their trail, not as news.
    if (type === DomainEventType.AwaitingApproval && after.execution.phase !== 'AwaitingApproval') return;
    const last = index === added.length - 1;
    events.push({
      type,
      execution: last || type !== DomainEventType.Started ? after.execution : whileRunning(after.execution),
    });
  });
  return events;
}

function whileRunning(execution: Execution): Execution {
  const {
    completionTime: _completionTime,
    durationSeconds: _durationSeconds,
    failureDetails: _failureDetails,
    ...running
  } = execution;
  return { ...running, phase: 'Running' };
}
