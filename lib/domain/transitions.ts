import { endedAwaitingApproval } from './approval.js';
import { AuditEventType } from './audit.js';
import { ConflictError, LockstepError, ValidationError } from './errors.js';
import {
  durationSeconds,
  type Execution,
  type ExecutionRecord,
  type ExecutionRef,
  type ExecutionRequest,
  type FailureDetails,
  nextAuditEvent,
  type SkipDetails,
} from './execution.js';
import { canTransition, Phase } from './phase.js';
import type { Policy } from './policies.js';
import { FailureReason } from './reasons.js';
import {
  type BlockClearance,
  type Holder,
  keptClearances,
  type Outcome,
  type Settlement,
  settle,
  type TargetState,
} from './target.js';

/**
 * The rules of every transition, as pure functions: each returns what must be written (the
 * new record with its audit event, the target's settlement). The store only applies them,
 * with the conditions that make a duplicate, late or racing writer change nothing.
 */

/** How Step Functions (or a cancel, a deadline, a failed start) says an execution ended. */
export type Termination =
  | { phase: typeof Phase.Completed }
  | { phase: typeof Phase.Failed; failure: Omit<FailureDetails, 'failedAt'> };

/** Admission: the Pending execution and its selection event; until it starts, it lives only on its target (the holder). */
export function admitted(request: ExecutionRequest, executionId: string, at: Date): Holder {
  const execution: Execution = {
    ...request,
    id: executionId,
    correlationId: request.correlationId ?? executionId,
    phase: Phase.Pending,
    createdAt: at.toISOString(),
  };
  const selected = nextAuditEvent(execution, [], AuditEventType.SelectionCompleted, at, request.requestedBy, {
    decision: 'admitted',
    workflowId: request.workflowId,
    workflowVersion: request.workflowVersion,
    ...(request.onBehalfOf && { onBehalfOf: request.onBehalfOf }),
  });
  return { execution, events: [selected] };
}

/** A refused admission is still recorded: the Skipped execution and why. */
export function skipped(refused: Holder, skipDetails: SkipDetails, at: Date): ExecutionRecord {
  const execution: Execution = { ...refused.execution, phase: Phase.Skipped, skipDetails };
  return {
    execution,
    events: [
      nextAuditEvent(execution, [], AuditEventType.ExecutionSkipped, at, execution.requestedBy, { ...skipDetails }),
    ],
  };
}

/** Pending → Running, once the workflow has started. */
export function started(
  pending: Holder,
  fencingToken: number,
  executionRef: ExecutionRef,
  startTime: Date,
  actor: string,
): ExecutionRecord {
  assertTransition(pending.execution, Phase.Running);
  const execution: Execution = {
    ...pending.execution,
    phase: Phase.Running,
    executionRef,
    startTime: startTime.toISOString(),
  };
  return {
    execution,
    fencingToken,
    events: [
      ...pending.events,
      nextAuditEvent(execution, pending.events, AuditEventType.ExecutionStarted, startTime, actor, { executionRef }),
    ],
  };
}

export interface FinishOptions {
  termination: Termination;
  /** The completion time. */
  at: Date;
  actor: string;
  /** A status event that overtook the start record: the workflow ran, so the record passes through Running first. */
  overtakenStart?: { executionRef: ExecutionRef; startTime: Date; actor: string };
  /** A person's cancel ended it: recorded as `cancelledBy` with its own audit event. */
  cancel?: Cancel;
}

/** Who cancelled an execution: the identity from the credentials, and the person an intermediary acted for. */
export interface Cancel {
  by: string;
  onBehalfOf?: string;
}

/**
 * The cause a cancel gives StopExecution. It names who cancelled (and for whom), so that
 * whichever path records the stopped run (the cancel itself, or the status event that may
 * come first) records the same `cancelledBy` (`cancelOfCause`); `requestId` tells this
 * cancel's stop from any other's.
 */
export function cancelCause(cancel: Cancel, requestId: string): string {
  const forWhom = cancel.onBehalfOf ? ` on behalf of ${cancel.onBehalfOf}` : '';
  return `cancelled by ${cancel.by}${forWhom} (cancel request ${requestId})`;
}

/** Who a cancel's stop cause names; undefined for any other cause (an identity with white space is not read back). */
export function cancelOfCause(cause: string | undefined): Cancel | undefined {
  const match = /^cancelled by (\S+)(?: on behalf of (.+))? \(cancel request [^\s()]+\)$/su.exec(cause ?? '');
  if (!match) return undefined;
  return { by: match[1]!, ...(match[2] && { onBehalfOf: match[2] }) };
}

/** Pending or Running → Completed or Failed, with the completion time always set. */
export function finished(
  current: ExecutionRecord & { fencingToken: number },
  { termination, at, actor, overtakenStart, cancel }: FinishOptions,
): ExecutionRecord & { fencingToken: number } {
  // Step Functions saw the run start, however it ended (a cancel's stop included): the record says so.
  const base =
    current.execution.phase === Phase.Pending && overtakenStart
      ? started(
          current,
          current.fencingToken,
          overtakenStart.executionRef,
          overtakenStart.startTime,
          overtakenStart.actor,
        )
      : current;
  assertTransition(base.execution, termination.phase);
  const completionTime = at.toISOString();
  const execution: Execution = {
    ...base.execution,
    phase: termination.phase,
    completionTime,
    ...(base.execution.startTime && { durationSeconds: durationSeconds(base.execution.startTime, completionTime) }),
    ...(termination.phase === Phase.Failed && { failureDetails: { ...termination.failure, failedAt: completionTime } }),
    ...(cancel && { cancelledBy: cancel.by }),
  };
  const events = cancel
    ? [
        ...base.events,
        nextAuditEvent(execution, base.events, AuditEventType.ExecutionCancelled, at, cancel.by, {
          phase: base.execution.phase,
          ...(cancel.onBehalfOf && { onBehalfOf: cancel.onBehalfOf }),
        }),
      ]
    : base.events;
  const event =
    execution.phase === Phase.Completed
      ? nextAuditEvent(execution, events, AuditEventType.WorkflowCompleted, at, actor, {
          durationSeconds: execution.durationSeconds,
        })
      : nextAuditEvent(execution, events, AuditEventType.WorkflowFailed, at, actor, {
          ...execution.failureDetails,
        });
  return { execution, fencingToken: current.fencingToken, events: [...events, event] };
}

/**
 * A failure that says nothing against the target: a cancel, or a run stopped or deleted
 * outside the engine (reason Unknown, the workflow's own failure not shown). Never counted
 * for backoff, never blocks.
 */
export function isInterruption(failure: Pick<FailureDetails, 'reason' | 'wasExecutionFailure'>): boolean {
  return (
    !failure.wasExecutionFailure &&
    (failure.reason === FailureReason.Cancelled || failure.reason === FailureReason.Unknown)
  );
}

/** How a terminal execution ended, as far as its target is concerned: the one derivation every settling path uses. */
export function outcomeOf(execution: Execution): Outcome {
  const failure = execution.failureDetails;
  if (execution.phase === Phase.Completed || !failure) return { phase: Phase.Completed };
  return {
    phase: Phase.Failed,
    wasExecutionFailure: failure.wasExecutionFailure,
    interrupted: isInterruption(failure),
    ran: execution.startTime !== undefined,
    ...(endedAwaitingApproval(execution) && { withdrawn: true }),
  };
}

/** What the target looks like once `record` (terminal) releases it; `undefined` when another execution or token holds it. */
export function settlementFor(target: TargetState, record: ExecutionRecord, policy: Policy): Settlement | undefined {
  const { execution } = record;
  if (target.holder?.execution.id !== execution.id || target.fencingToken !== record.fencingToken) return undefined;
  return settle(
    target,
    execution.id,
    outcomeOf(execution),
    policy,
    new Date(execution.completionTime ?? execution.createdAt),
  );
}

/** The target fields a clearance removes: the block, and the backoff window of the failures it forgives. */
export const CLEARED_FIELDS = ['blockReason', 'blockedByExecutionId', 'nextAllowedAt'] as const;

export interface Clearance {
  /** The target once cleared. */
  target: TargetState;
  /** What the clearance writes on the target: `set` these fields, remove `CLEARED_FIELDS`; nothing else changes. */
  set: Pick<TargetState, 'blockClearances' | 'consecutiveFailures'>;
  /** The clearance in the audit trail of the execution that blocked the target, when it is still stored. */
  blockingRecord?: ExecutionRecord;
}

/**
 * A person clears a blocked target. The clearance is kept on the target (the newest, by count and
 * size: `keptClearances`) and audited on the blocking execution. The block goes, and so do the
 * failures it answered: the count restarts at 0 (else the next pre-execution failure would block
 * again at once) and a backoff window closes. A failed run's cooldown stays: the target was
 * just changed by that run, whoever cleared the block.
 */
export function cleared(
  target: TargetState,
  input: {
    clearedBy: string;
    onBehalfOf?: string;
    reason: string;
    at: Date;
    blocking?: ExecutionRecord;
    maxKept: number;
  },
): Clearance {
  const clearedBy = input.clearedBy.trim();
  const reason = input.reason.trim();
  if (!clearedBy || !reason)
    throw new ValidationError('clearedBy and reason are required', ['body.clearedBy', 'body.reason']);
  if (!target.blockReason) throw new ConflictError(`target ${target.targetResource} is not blocked`);
  const clearance: BlockClearance = {
    clearedAt: input.at.toISOString(),
    clearedBy,
    ...(input.onBehalfOf && { onBehalfOf: input.onBehalfOf }),
    reason,
    blockReason: target.blockReason,
    ...(target.blockedByExecutionId && { blockedByExecutionId: target.blockedByExecutionId }),
  };
  const set = {
    blockClearances: keptClearances([...target.blockClearances, clearance], input.maxKept),
    consecutiveFailures: 0,
  };
  const { blockReason, blockedByExecutionId, nextAllowedAt, ...kept } = target;
  const result: Clearance = { target: { ...kept, ...set }, set };
  const { blocking } = input;
  if (!blocking) return result;
  const event = nextAuditEvent(blocking.execution, blocking.events, AuditEventType.BlockCleared, input.at, clearedBy, {
    reason,
    blockReason: target.blockReason,
    ...(input.onBehalfOf && { onBehalfOf: input.onBehalfOf }),
  });
  return { ...result, blockingRecord: { ...blocking, events: [...blocking.events, event] } };
}

function assertTransition(execution: Execution, to: Phase): void {
  if (!canTransition(execution.phase, to))
    throw new LockstepError(`execution ${execution.id} cannot go from ${execution.phase} to ${to}`);
}
