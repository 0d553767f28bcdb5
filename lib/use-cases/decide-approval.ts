import { ConflictError } from '../domain/errors.js';
import type { ExecutionRecord } from '../domain/execution.js';
import { announce, disarmDeadline } from './announce.js';
import { type Engine, policyFor } from './engine.js';
import { expireApproval } from './expire-approval.js';
import { getExecution } from './get-execution.js';
import { launchExecution } from './start-execution.js';

export interface ApprovalDecisionInput {
  executionId: string;
  /** The identity from the credentials. */
  by: string;
  /** The person an intermediary decides for. */
  onBehalfOf?: string;
  decision: 'approve' | 'reject';
  comment?: string;
}

/**
 * A person's decision on an execution awaiting approval (API.md, "Approvals"). The approval
 * that reaches the approvals needed starts the run through the admission's own start
 * (`launchExecution`: the name its fencing token decided, safe to repeat); if this process
 * dies before StartExecution answers, the sweeper finishes the start under the same name. A
 * decision that comes at or after `requiredBy` decides nothing: the expiry is applied and the
 * answer is a conflict saying so.
 */
export async function decideApproval(engine: Engine, input: ApprovalDecisionInput): Promise<ExecutionRecord> {
  const { executionId, by, onBehalfOf, decision, comment } = input;
  const current = await getExecution(engine, executionId);
  const { workflowId, workflowVersion } = current.execution;
  const result = await engine.store.decide({
    executionId,
    by,
    ...(onBehalfOf && { onBehalfOf }),
    decision,
    ...(comment !== undefined && { comment }),
    at: engine.clock.now(),
    policy: policyFor(engine, workflowId, workflowVersion),
  });
  if (result.outcome === 'expired') {
    await expireApproval(engine, result.record.execution);
    throw new ConflictError(
      `the approval of execution ${executionId} expired at ${result.record.execution.approval?.requiredBy}; nothing was decided`,
    );
  }
  engine.metrics.approvalDecided(decision, result.record.execution);
  if (result.outcome === 'rejected') {
    await disarmDeadline(engine, executionId);
    await announce(engine, result.record);
    return result.record;
  }
  if (result.outcome === 'recorded') return result.record;
  // Approved: the approval's expiry no longer applies; the run's own deadline is armed when it starts.
  await disarmDeadline(engine, executionId);
  return (await launchExecution(engine, result.record)).record;
}
