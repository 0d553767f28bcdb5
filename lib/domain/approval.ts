import type { ApprovalDecision, Execution } from './execution.js';
import { Phase } from './phase.js';
import { FailureReason } from './reasons.js';
import { userPattern } from './user-pattern.js';
import type { WorkflowPolicy } from './workflow-version.js';

/**
 * Approvals (API.md, "Approvals"), as pure rules (the transitions are in approval-transitions.ts). An execution that needs approval is admitted
 * AwaitingApproval: it holds its target's lock (and its fencing token, so its run's name is
 * already decided) and lives on the target as its holder, like a Pending one, until it starts
 * or ends. Decisions are appended to it there; the approval that reaches `approvalsNeeded`
 * makes it Pending, and it starts exactly as an admitted execution does. A rejection, an expiry
 * or a cancel ends it Failed before anything ran, and the target is left as it was before the
 * request (see `settle` in target.ts: such an execution is `withdrawn`).
 */

/** The approval a request must wait for: how long, and how many people. */
export interface ApprovalTerms {
  timeoutSeconds: number;
  approvals: number;
}

/** Whether a workflow's requests for `targetResource` (canonical) wait for approval, and on what terms; undefined when they do not. */
export function approvalTermsFor(
  policy: WorkflowPolicy | undefined,
  targetResource: string,
): ApprovalTerms | undefined {
  const approval = policy?.approval;
  if (!approval) return undefined;
  // Defaults as the schema fills them, for a policy built without parsing (a test's, a catalog file's).
  const terms = { timeoutSeconds: approval.timeoutSeconds ?? 900, approvals: approval.approvals ?? 1 };
  if ('required' in approval) return terms;
  return userPattern(approval.targetPattern).test(targetResource) ? terms : undefined;
}

/** The person a request was made for: its `onBehalfOf` when an intermediary made it, else who made it. */
export function requesterOf(execution: Pick<Execution, 'requestedBy' | 'onBehalfOf'>): string {
  return execution.onBehalfOf ?? execution.requestedBy;
}

/** The person a decision is for: its `onBehalfOf` when an intermediary made it, else who made it. */
export function deciderOf(decision: Pick<ApprovalDecision, 'by' | 'onBehalfOf'>): string {
  return decision.onBehalfOf ?? decision.by;
}

/** The people who approved, once each, in order. */
export function approversOf(execution: Pick<Execution, 'approval'>): string[] {
  const approvers = (execution.approval?.decisions ?? []).filter((d) => d.decision === 'approve').map(deciderOf);
  return [...new Set(approvers)];
}

/** Whether an execution's approval has run out at `now` (it is still awaiting and `requiredBy` has come). */
export function approvalExpiredAt(execution: Execution, now: Date): boolean {
  return (
    execution.phase === Phase.AwaitingApproval &&
    execution.approval !== undefined &&
    Date.parse(execution.approval.requiredBy) <= now.getTime()
  );
}

/**
 * Whether a terminal execution ended while awaiting approval (rejected, expired, or cancelled
 * before the approvals were reached): nothing ran, so its target is left as it was before the request.
 */
export function endedAwaitingApproval(execution: Execution): boolean {
  if (execution.phase !== Phase.Failed || !execution.approval || execution.startTime !== undefined) return false;
  const reason = execution.failureDetails?.reason;
  if (reason === FailureReason.Rejected || reason === FailureReason.ApprovalExpired) return true;
  return reason === FailureReason.Cancelled && approversOf(execution).length < execution.approval.approvalsNeeded;
}
