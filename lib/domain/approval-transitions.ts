import { type ApprovalTerms, approvalExpiredAt, approversOf, deciderOf, requesterOf } from './approval.js';
import { AuditEventType } from './audit.js';
import { ConflictError, ForbiddenError, ValidationError } from './errors.js';
import { type ApprovalDecision, type Execution, type ExecutionRequest, nextAuditEvent } from './execution.js';
import { Phase } from './phase.js';
import { addSeconds } from './policies.js';
import { FailureReason } from './reasons.js';
import type { Holder } from './target.js';
import { finished } from './transitions.js';

/** The transitions of an execution awaiting approval (the rules they follow are in approval.ts). */

/** The admission of a request that needs approval: it takes the lock as any admission does, and nothing is started. */
export function awaitingApproval(
  request: ExecutionRequest,
  executionId: string,
  at: Date,
  terms: ApprovalTerms,
): Holder {
  const execution: Execution = {
    ...request,
    id: executionId,
    correlationId: request.correlationId ?? executionId,
    phase: Phase.AwaitingApproval,
    approval: {
      requiredBy: addSeconds(at, terms.timeoutSeconds).toISOString(),
      approvalsNeeded: terms.approvals,
      decisions: [],
    },
    createdAt: at.toISOString(),
  };
  const selected = nextAuditEvent(execution, [], AuditEventType.SelectionCompleted, at, request.requestedBy, {
    decision: 'awaiting-approval',
    workflowId: request.workflowId,
    workflowVersion: request.workflowVersion,
  });
  const requested = nextAuditEvent(execution, [selected], AuditEventType.ApprovalRequested, at, request.requestedBy, {
    requiredBy: execution.approval!.requiredBy,
    approvalsNeeded: terms.approvals,
    ...(request.onBehalfOf && { onBehalfOf: request.onBehalfOf }),
  });
  return { execution, events: [selected, requested] };
}

export interface DecisionInput {
  /** The identity from the credentials. */
  by: string;
  /** The person an intermediary decides for. */
  onBehalfOf?: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: Date;
}

/** What a decision makes of an execution awaiting approval. */
export type Decided =
  /** Still awaiting: more approvals are needed. `holder` is the target's new holder. */
  | { outcome: 'recorded'; holder: Holder }
  /** The approvals needed are reached: Pending, to be started as an admitted execution is. */
  | { outcome: 'approved'; holder: Holder }
  /** Rejected: Failed before it ran; `record` is the terminal record (it releases the target untouched). */
  | { outcome: 'rejected'; record: Holder & { fencingToken: number } }
  /** `requiredBy` has passed: no decision is recorded; the expiry applies instead. */
  | { outcome: 'expired' };

/**
 * A decision on an execution awaiting approval (`current`, the target's holder, with its
 * fencing token). The four-eyes rule: the person deciding is never the person who requested it.
 * Each person decides once; one reject ends it; the approval that reaches `approvalsNeeded` makes
 * it Pending. Throws ConflictError when it is not awaiting approval or the person has decided,
 * ForbiddenError when the person is its requester.
 */
export function decided(current: Holder & { fencingToken: number }, input: DecisionInput): Decided {
  const { execution } = current;
  const approval = execution.approval;
  if (execution.phase !== Phase.AwaitingApproval || !approval)
    throw new ConflictError(`execution ${execution.id} is ${execution.phase}, not awaiting approval`);
  if (approvalExpiredAt(execution, input.at)) return { outcome: 'expired' };
  const decision: ApprovalDecision = {
    by: input.by,
    ...(input.onBehalfOf && { onBehalfOf: input.onBehalfOf }),
    decision: input.decision,
    ...(input.comment !== undefined && { comment: input.comment }),
    at: input.at.toISOString(),
  };
  const person = deciderOf(decision);
  if (person === requesterOf(execution))
    throw new ForbiddenError(
      `${person} requested execution ${execution.id}: an approval by its requester is not allowed (another person must decide)`,
    );
  if (approval.decisions.some((d) => deciderOf(d) === person))
    throw new ConflictError(`${person} has already decided on execution ${execution.id}; each person decides once`);
  if (decision.decision === 'reject' && !decision.comment?.trim())
    throw new ValidationError('a rejection needs a comment', ['body.comment: is required to reject']);

  const decisions = [...approval.decisions, decision];
  const approvals = approversOf({ approval: { ...approval, decisions } }).length;
  const phase =
    decision.decision === 'approve' && approvals >= approval.approvalsNeeded ? Phase.Pending : Phase.AwaitingApproval;
  const next: Execution = { ...execution, phase, approval: { ...approval, decisions } };
  const event = nextAuditEvent(next, current.events, AuditEventType.ApprovalDecided, input.at, input.by, {
    decision: decision.decision,
    ...(decision.comment !== undefined && { comment: decision.comment }),
    ...(decision.onBehalfOf && { onBehalfOf: decision.onBehalfOf }),
    approvals,
    approvalsNeeded: approval.approvalsNeeded,
  });
  const holder: Holder = { execution: next, events: [...current.events, event] };
  if (decision.decision === 'reject') {
    const record = finished(
      { ...holder, fencingToken: current.fencingToken },
      {
        termination: {
          phase: Phase.Failed,
          failure: {
            reason: FailureReason.Rejected,
            message: `rejected by ${person}: ${decision.comment}`,
            wasExecutionFailure: false,
          },
        },
        at: input.at,
        actor: input.by,
      },
    );
    return { outcome: 'rejected', record };
  }
  return { outcome: phase === Phase.Pending ? 'approved' : 'recorded', holder };
}

/** The expiry at `requiredBy`: Failed/ApprovalExpired before anything ran, by the engine itself. */
export function approvalExpired(
  current: Holder & { fencingToken: number },
  at: Date,
  actor: string,
): Holder & { fencingToken: number } {
  const { execution } = current;
  if (!approvalExpiredAt(execution, at))
    throw new ConflictError(`execution ${execution.id} has no approval that has run out at ${at.toISOString()}`);
  const approval = execution.approval!;
  const event = nextAuditEvent(execution, current.events, AuditEventType.ApprovalExpired, at, actor, {
    requiredBy: approval.requiredBy,
    approvals: approversOf(execution).length,
    approvalsNeeded: approval.approvalsNeeded,
  });
  return finished(
    { ...current, events: [...current.events, event] },
    {
      termination: {
        phase: Phase.Failed,
        failure: {
          reason: FailureReason.ApprovalExpired,
          message: `nobody approved it before ${approval.requiredBy} (${approversOf(execution).length} of ${approval.approvalsNeeded} approvals)`,
          wasExecutionFailure: false,
        },
      },
      at,
      actor,
    },
  );
}
