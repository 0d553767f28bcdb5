import { approvalExpiredAt } from '../domain/approval.js';
import { deadlineOf, type ExecutionRecord } from '../domain/execution.js';
import { Phase } from '../domain/phase.js';
import { type Engine, STOP_ERRORS } from './engine.js';
import { expireApproval } from './expire-approval.js';
import { stopRun } from './stop-run.js';

export type DeadlineCheck =
  | { kind: 'not-running' }
  | { kind: 'not-due'; at: Date }
  | { kind: 'enforced'; stopped: boolean; record: ExecutionRecord }
  /** An approval that ran out: `expired` when this check ended it (a decision may have come first). */
  | { kind: 'approval-expired'; expired: boolean; record: ExecutionRecord };

/**
 * The deadline of an execution awaiting approval, its `requiredBy`: it expires then (the
 * sweeper, or the timer or schedule armed at its admission).
 */
export async function enforceApprovalDeadline(engine: Engine, record: ExecutionRecord): Promise<DeadlineCheck> {
  const { execution } = record;
  if (execution.phase !== Phase.AwaitingApproval || !execution.approval) return { kind: 'not-running' };
  if (!approvalExpiredAt(execution, engine.clock.now()))
    return { kind: 'not-due', at: new Date(execution.approval.requiredBy) };
  const result = await expireApproval(engine, execution);
  return { kind: 'approval-expired', expired: result.changed, record: result.record };
}

/**
 * Stops a Running execution whose `timeoutSeconds` has passed; it ends Failed/DeadlineExceeded
 * unless the workflow finished first (then that outcome is recorded). Used by the sweeper and,
 * where the engine has them, by timers armed for the deadline itself.
 */
export async function enforceDeadline(engine: Engine, record: ExecutionRecord): Promise<DeadlineCheck> {
  const deadline = deadlineOf(record.execution);
  if (record.execution.phase !== Phase.Running || !deadline) return { kind: 'not-running' };
  if (deadline > engine.clock.now()) return { kind: 'not-due', at: deadline };
  const cause = `the execution ran past its deadline of ${record.execution.timeoutSeconds} s and was stopped`;
  return {
    kind: 'enforced',
    ...(await stopRun(engine, record, { error: STOP_ERRORS.deadline, cause, actor: engine.actor })),
  };
}

/**
 * The same, by id: what a deadline timer or schedule calls when it fires. One that fires a
 * moment early by the engine's clock (Scheduler rounds to the second) is armed again for the deadline.
 */
export async function enforceDeadlineOf(engine: Engine, executionId: string): Promise<DeadlineCheck | undefined> {
  const record = await engine.store.getExecution(executionId);
  if (!record) return undefined;
  const check =
    record.execution.phase === Phase.AwaitingApproval
      ? await enforceApprovalDeadline(engine, record)
      : await enforceDeadline(engine, record);
  if (check.kind === 'not-due') await engine.deadlines?.schedule(executionId, check.at);
  return check;
}
