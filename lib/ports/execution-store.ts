import type { ApprovalTerms } from '../domain/approval.js';
import type { DecisionInput } from '../domain/approval-transitions.js';
import type { Execution, ExecutionRecord, ExecutionRequest, SkipDetails } from '../domain/execution.js';
import type { Phase } from '../domain/phase.js';
import type { Policy } from '../domain/policies.js';
import type { Holder, TargetState, TargetStatus } from '../domain/target.js';
import type { Cancel, Termination } from '../domain/transitions.js';

export type { Termination };

export type Admission =
  | { admitted: true; record: ExecutionRecord & { fencingToken: number } }
  | { admitted: false; existing?: undefined; record: ExecutionRecord; skipDetails: SkipDetails }
  /** Only with `exclusive`: this execution id was admitted (or refused) before; `record` is what is stored (Pending: the holder, with its token). */
  | { admitted: false; existing: true; record: ExecutionRecord; skipDetails?: undefined };

export interface AdmitInput {
  request: ExecutionRequest;
  executionId: string;
  at: Date;
  /**
   * The id stands for an idempotency key: admit it at most once, ever. A retry finds the
   * execution the first attempt created, at whatever point that attempt stopped.
   */
  exclusive?: boolean;
  /** The request's workflow needs approval for this target: it is admitted AwaitingApproval on these terms. */
  approval?: ApprovalTerms;
}

export interface DecideInput extends DecisionInput {
  executionId: string;
  policy: Policy;
}

/** What a decision did: the execution as stored afterwards (`expired`: as it was; the expiry is the caller's to apply). */
export type DecisionResult =
  | { outcome: 'recorded' | 'approved'; record: ExecutionRecord & { fencingToken: number } }
  | { outcome: 'rejected'; record: ExecutionRecord }
  | { outcome: 'expired'; record: ExecutionRecord };

export interface ExpireApprovalInput {
  executionId: string;
  targetResource?: string;
  at: Date;
  policy: Policy;
}

export interface MarkRunningInput {
  /** The Pending execution as admitted (the target's holder). */
  pending: Holder;
  fencingToken: number;
  executionRef: { name: string; arn: string };
  startTime: Date;
  actor: string;
}

export interface FinishInput {
  executionId: string;
  /** Finish only from this phase (a cancel of a Pending execution must not end one that has started meanwhile). */
  onlyFrom?: Phase;
  /** Lets a Pending execution be found on its target with a consistent read instead of through the index. */
  targetResource?: string;
  termination: Termination;
  /** The completion time (for a status event: its stopDate, or the event's time when absent). */
  at: Date;
  /** When the workflow started, if known from outside (a status event that overtook the start record). */
  startTime?: Date;
  executionRef?: { name: string; arn: string };
  actor: string;
  policy: Policy;
  /** A person's cancel: recorded as the execution's `cancelledBy`, with its audit event. */
  cancel?: Cancel;
}

/** A write that found its precondition gone (duplicate, late or stale) changed nothing; `record` is what is stored. */
export type TransitionResult =
  | { changed: true; record: ExecutionRecord }
  | { changed: false; record: ExecutionRecord; why: string };

export interface ReleaseLockInput {
  targetResource: string;
  executionId: string;
  fencingToken: number;
  policy: Policy;
}

export interface ClearBlockInput {
  targetResource: string;
  /** The clearer's identity, from its credentials. */
  clearedBy: string;
  /** The person an intermediary cleared it for. */
  onBehalfOf?: string;
  reason: string;
  at: Date;
}

export interface ListExecutionsInput {
  targetResource: string;
  phase?: Phase;
  limit: number;
  nextToken?: string;
}

/** The executions holding their targets now, across targets. */
export interface ActiveExecutionsInput {
  /** AwaitingApproval ones are listed on their own; without a phase, the Pending and Running ones. */
  phase?: 'AwaitingApproval' | 'Pending' | 'Running';
  workflowId?: string;
  limit: number;
  nextToken?: string;
}

/** The executions created in [since, until) across targets (RFC 3339 UTC, milliseconds), newest first. */
export interface CreatedExecutionsInput {
  since: string;
  /** Default: none, everything created so far (the window's width is checked against now). */
  until?: string;
  phase?: Phase;
  workflowId?: string;
  limit: number;
  nextToken?: string;
}

/** The targets in one state now (an open window for CoolingDown and BackingOff), a page at a time. */
export interface ListTargetsInput {
  state: Exclude<TargetStatus, 'Idle'>;
  at: Date;
  limit: number;
  nextToken?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Durable state of targets, executions and their audit trails. */
export interface ExecutionStore {
  /** One conditional write acquires the target; a refusal is recorded as a Skipped execution. */
  admit(input: AdmitInput): Promise<Admission>;
  /**
   * A decision on an execution awaiting approval (the domain's `decided`), written only on the
   * state it was made on; a concurrent change is read again and decided on anew.
   */
  decide(input: DecideInput): Promise<DecisionResult>;
  /** AwaitingApproval → Failed/ApprovalExpired once `requiredBy` has passed; unchanged otherwise. */
  expireApproval(input: ExpireApprovalInput): Promise<TransitionResult>;
  /** Pending → Running, once the workflow has started. */
  markRunning(input: MarkRunningInput): Promise<TransitionResult>;
  /** Running (or Pending) → Completed | Failed, releasing the target and settling its windows. */
  finish(input: FinishInput): Promise<TransitionResult>;
  /** Releases a target whose holder is already terminal, settling it as `finish` would have. Returns whether it changed anything. */
  releaseLock(input: ReleaseLockInput): Promise<boolean>;
  clearBlock(input: ClearBlockInput): Promise<TargetState>;
  /** By id; a Pending execution is found on its target (`heldTarget` saves the lookup when the caller has it). */
  getExecution(executionId: string, heldTarget?: TargetState): Promise<ExecutionRecord | undefined>;
  listExecutions(input: ListExecutionsInput): Promise<Page<Execution>>;
  getTarget(targetResource: string): Promise<TargetState>;
  /** Targets held right now, from the sparse index: the sweeper's whole working set. */
  listTargets(input: ListTargetsInput): Promise<Page<TargetState>>;
  listActiveExecutions(input: ActiveExecutionsInput): Promise<Page<Execution>>;
  listExecutionsCreated(input: CreatedExecutionsInput): Promise<Page<Execution>>;
}
