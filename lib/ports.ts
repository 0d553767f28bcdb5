import type { DomainEvent } from './domain/domain-events.js';
import type { Execution, ExecutionRecord, ExecutionRequest, SkipDetails } from './domain/execution.js';
import type { Phase } from './domain/phase.js';
import type { Policy } from './domain/policies.js';
import type { HistoryEntry } from './domain/steps.js';
import type { Holder, TargetState, TargetStatus } from './domain/target.js';
import type { Termination } from './domain/transitions.js';
import type { WorkflowStep, WorkflowVersion } from './domain/workflow-version.js';

export type { Termination };

/** Counters and timings of API.md's metrics table. */
export interface EngineMetrics {
  /** `workflowexecution_total` and `workflowexecution_duration_seconds`, by outcome. */
  executionEnded(execution: Execution): void;
  /** `workflowexecution_skip_total`, by reason. */
  executionSkipped(execution: Execution): void;
  /** `workflowexecution_start_failures_total`, by reason. */
  startFailed(execution: Execution): void;
  /** `lockstep_sweeper_repairs_total`, by repair (beyond API.md: what the sweeper had to fix). */
  sweepRepaired(repair: string, count: number): void;
  /** `lockstep_domain_events_unpublished_total` (beyond API.md): events the bus refused or did not answer for, to be published again from the stream. */
  domainEventsUnpublished(count: number): void;
}

/**
 * Puts domain events on the engine's bus, in order. Only the outbox publisher calls it, from
 * what the table's stream says was stored; no request path does.
 */
export interface DomainEventPublisher {
  /** The events the bus took, in order from the first (all of them unless it refused one). Throws when a call itself failed. */
  publish(events: readonly DomainEvent[]): Promise<DomainEventReceipt[]>;
}

/** One domain event the bus took: the id it gave it, and whether its detail was cut to fit the bus (`truncatedDetailOf`). */
export interface DomainEventReceipt {
  event: DomainEvent;
  eventId?: string;
  truncated: boolean;
}

/** Structured logging; Powertools Logger fits it. */
export interface EngineLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/**
 * Checks an execution's deadline at the moment it passes, so `timeoutSeconds` is enforced
 * then and not only at the next sweep: timers in local mode, EventBridge Scheduler one-time
 * schedules on AWS. The sweeper stays the fallback for a deadline whose schedule was lost.
 */
export interface DeadlineScheduler {
  schedule(executionId: string, at: Date): Promise<void> | void;
  cancel(executionId: string): Promise<void> | void;
}

/** The only source of "now" in the engine; tests pass a clock they drive. */
export interface Clock {
  now(): Date;
}

/** Step Functions' view of one execution. */
export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  startDate: Date;
  stopDate?: Date;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** A status change as seen in a status event or a DescribeExecution. */
export type StatusObservation = Omit<ExecutionDescription, 'stateMachineArn'> & {
  /** When the observation was made (the event's time): the completion time when `stopDate` is missing. */
  observedAt?: Date;
};

export interface StartWorkflowInput {
  stateMachineArn: string;
  name: string;
  input: string;
}

/** Runs workflows: Step Functions on AWS, the local endpoint in local mode (same adapter, other endpoint). */
export interface WorkflowDriver {
  /** Idempotent for the same name and input while the execution runs. */
  start(input: StartWorkflowInput): Promise<{ executionArn: string; startDate: Date }>;
  /** `undefined` when the execution does not exist (deleted, or never started). */
  describe(executionArn: string): Promise<ExecutionDescription | undefined>;
  stop(executionArn: string, error: string, cause: string): Promise<void>;
  /** The step the execution failed in, and whether any step ran at all, from its history. */
  failureSite(executionArn: string): Promise<{ failedStep?: string; ran: boolean }>;
  /** The ARN an execution of this name has (or would have) under a state machine. */
  executionArn(stateMachineArn: string, name: string): string;
  /** The execution's history, oldest first (every page); empty when the execution does not exist. */
  history(executionArn: string): Promise<HistoryEntry[]>;
}

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
  clearedBy: string;
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
  phase?: 'Pending' | 'Running';
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

/** What the engine knows of a workflow version at run time: the loader's version without its definition and files. */
export type CatalogWorkflow = Omit<WorkflowVersion, 'definition' | 'folder' | 'steps'> & {
  readonly steps: readonly Pick<WorkflowStep, 'name'>[];
  /** False only in local mode, for a workflow that names an existing state machine and gives no stand-in definition. */
  readonly runnableLocally?: false;
};

/** The workflows the engine may run. A use case never cares whether a version came from a folder, a deployed stack or the table. */
export interface WorkflowCatalog {
  list(): readonly CatalogWorkflow[];
  /** The version asked for, or the latest by number; an UnknownWorkflowError otherwise. */
  resolve(id: string, version?: string): CatalogWorkflow;
}

/** Durable state of targets, executions and their audit trails. */
export interface ExecutionStore {
  /** One conditional write acquires the target; a refusal is recorded as a Skipped execution. */
  admit(input: AdmitInput): Promise<Admission>;
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
