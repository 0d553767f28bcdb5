import { DOMAIN_EVENT_SOURCE, DomainEventType } from '../domain/domain-events.js';
import * as z from '../domain/zod.js';
import { ExecutionRequestBodySchema, IdempotencyKeySchema } from './api-schemas.js';

// The domain decides which transition is which event; its names are the contract's too.
export { DOMAIN_EVENT_SOURCE, DomainEventType } from '../domain/domain-events.js';

/** The engine's bus: requests in, domain events and deadline events out. */
export const ENGINE_BUS_NAME = 'lockstep';
/** The account's default bus, where AWS services (Step Functions) put their events. */
export const DEFAULT_BUS_NAME = 'default';

/**
 * Published with `source` `lockstep` when a target becomes blocked (`detail` = the target) and when a
 * workflow's breaker trips (`detail` = its newest version with its `guard`): API.md, Events. The
 * notifications (cdk/constructs/notifications.ts) listen for them.
 */
export const TARGET_BLOCKED_DETAIL_TYPE = 'Target Blocked';
export const WORKFLOW_TRIPPED_DETAIL_TYPE = 'Workflow Tripped';

/** A request to run a workflow, put on the engine's bus by anyone (any `source`). */
export const REQUESTED_DETAIL_TYPE = 'WorkflowExecution Requested';

/** The detail of `WorkflowExecution Requested`: `POST /executions`'s body, and an `idempotencyKey` that follows the `Idempotency-Key` header's rules. */
export const RequestedEventDetailSchema = z.extend(ExecutionRequestBodySchema, {
  idempotencyKey: z.optional(IdempotencyKeySchema),
  // An event's requester is its source (`event:<source>`), never an intermediary: it cannot speak for a person.
  onBehalfOf: z.optional(
    z.never({
      error:
        'is for intermediaries calling the API; an event is requested by its source (event:<source>), for nobody else',
    }),
  ),
});

/** What Step Functions puts on the default bus on every status change of an execution. */
export const STATUS_CHANGE_SOURCE = 'aws.states';
export const STATUS_CHANGE_DETAIL_TYPE = 'Step Functions Execution Status Change';

/** The `detail` of the EventBridge event Step Functions emits on every status change. */
export const StatusChangeDetailSchema = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  name: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
  startDate: z.number(),
  stopDate: z.optional(z.nullable(z.number())),
  input: z.optional(z.nullable(z.string())),
  output: z.optional(z.nullable(z.string())),
  error: z.optional(z.nullable(z.string())),
  cause: z.optional(z.nullable(z.string())),
});
export type StatusChangeDetail = z.infer<typeof StatusChangeDetailSchema>;

export const StatusChangeEventSchema = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.literal(STATUS_CHANGE_DETAIL_TYPE),
  source: z.literal(STATUS_CHANGE_SOURCE),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: StatusChangeDetailSchema,
});
export type StatusChangeEvent = z.infer<typeof StatusChangeEventSchema>;

/** The event a firing deadline schedule puts on the engine's bus (lib/adapters/scheduler/deadline-schedules.ts). */
export const DEADLINE_DETAIL_TYPE = 'Lockstep Deadline';
export const DEADLINE_SOURCE = 'lockstep.deadlines';

/** Its detail: check this one execution now. */
export const DeadlineDetailSchema = z.object({ deadlineOf: z.string().check(z.minLength(1), z.maxLength(128)) });
export type DeadlineDetail = z.infer<typeof DeadlineDetailSchema>;

/** The deadline event as the sweeper function receives it. */
export const DeadlineEventSchema = z.object({
  'detail-type': z.literal(DEADLINE_DETAIL_TYPE),
  detail: DeadlineDetailSchema,
});

/**
 * An execution's admission awaiting approval, as the sweeper function receives it: it arms the
 * approval's expiry at `requiredBy` (on AWS the api and trigger functions arm no schedule;
 * their bundles carry no Scheduler client). Only the id is read: a truncated detail has it too.
 */
export const AwaitingApprovalEventSchema = z.object({
  source: z.literal(DOMAIN_EVENT_SOURCE),
  'detail-type': z.literal(DomainEventType.AwaitingApproval),
  detail: z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) }),
});

/** An EventBridge event pattern, in the parts the engine's rules use. */
export interface EngineRulePattern {
  readonly source?: readonly string[];
  readonly 'detail-type': readonly string[];
}

/** One of the engine's rules: which events on which bus go to which function. */
export interface EngineRule {
  /** The rule's construct id in the CDK app (never changed once deployed) and its name on local mode's bus. */
  readonly id: string;
  readonly description: string;
  /** The engine's bus, or the default bus where AWS services put their events. */
  readonly bus: 'engine' | 'default';
  readonly pattern: EngineRulePattern;
  /**
   * Only events of the engine's own state machines (`detail.stateMachineArn`): each installer
   * fills in the ARNs it has (patternOf), CDK tokens or local mode's ARNs.
   */
  readonly ownStateMachinesOnly?: true;
  /** The function it feeds. */
  readonly target: 'trigger' | 'status' | 'sweeper';
}

/**
 * Every event rule of the engine: the one list the CDK app (cdk/constructs/engine-events.ts)
 * and local mode (lib/local/local-mode.ts) both install, so the two cannot route differently.
 * The sweeper's schedule is not here: it is a schedule, not a pattern (a rate rule on AWS, a
 * timer in local mode). Local mode's deadlines fire from timers in-process, and its deadline
 * rule takes the same deadline events as on AWS should anyone put one on its bus.
 */
export const ENGINE_RULES: readonly EngineRule[] = [
  {
    id: 'Requested',
    description: 'WorkflowExecution Requested → trigger',
    bus: 'engine',
    pattern: { 'detail-type': [REQUESTED_DETAIL_TYPE] },
    target: 'trigger',
  },
  {
    id: 'StatusChanges',
    description: "Step Functions status changes of Lockstep's state machines → status",
    bus: 'default',
    pattern: { source: [STATUS_CHANGE_SOURCE], 'detail-type': [STATUS_CHANGE_DETAIL_TYPE] },
    ownStateMachinesOnly: true,
    target: 'status',
  },
  {
    id: 'Deadlines',
    description: 'An execution deadline passed (EventBridge Scheduler) → sweeper, for that execution',
    bus: 'engine',
    pattern: { source: [DEADLINE_SOURCE], 'detail-type': [DEADLINE_DETAIL_TYPE] },
    target: 'sweeper',
  },
  {
    id: 'ApprovalDeadlines',
    description: 'WorkflowExecution AwaitingApproval → sweeper, which arms its expiry at requiredBy',
    bus: 'engine',
    pattern: { source: [DOMAIN_EVENT_SOURCE], 'detail-type': [DomainEventType.AwaitingApproval] },
    target: 'sweeper',
  },
];

/** The name of a rule's bus. */
export function busNameOf(rule: EngineRule): string {
  return rule.bus === 'engine' ? ENGINE_BUS_NAME : DEFAULT_BUS_NAME;
}

/** A rule's whole pattern in EventBridge's JSON form, with the installer's state machine ARNs where the rule needs them. */
export function patternOf(
  rule: EngineRule,
  stateMachineArns: readonly string[],
): { source?: string[]; 'detail-type': string[]; detail?: { stateMachineArn: string[] } } {
  return {
    ...(rule.pattern.source && { source: [...rule.pattern.source] }),
    'detail-type': [...rule.pattern['detail-type']],
    ...(rule.ownStateMachinesOnly && { detail: { stateMachineArn: [...stateMachineArns] } }),
  };
}
