import { type AuditEvent, AuditEventSchema, type AuditEventType } from './audit.js';
import { PhaseSchema } from './phase.js';
import { FailureReasonSchema, SkipReasonSchema } from './reasons.js';
import * as z from './zod.js';

const Timestamp = z.iso.datetime();

/** Parameter names are UPPER_SNAKE_CASE; values are strings. */
export const ParameterNameSchema = z
  .string()
  .check(z.regex(/^[A-Z][A-Z0-9_]*$/, 'parameter names are UPPER_SNAKE_CASE'));
export const ParametersSchema = z.record(ParameterNameSchema, z.string());

export const ExecutionSource = { Api: 'api', Event: 'event' } as const;
export const ExecutionSourceSchema = z.enum(ExecutionSource);

export const SkipDetailsSchema = z.object({
  reason: SkipReasonSchema,
  message: z.string(),
  conflictingExecutionId: z.optional(z.string()),
  recentExecutionId: z.optional(z.string()),
  retryAfterSeconds: z.optional(z.number().check(z.int(), z.gte(0))),
  nextAllowedAt: z.optional(Timestamp),
});
export type SkipDetails = z.infer<typeof SkipDetailsSchema>;

export const FailureDetailsSchema = z.object({
  reason: FailureReasonSchema,
  message: z.string(),
  failedStep: z.optional(z.string()),
  wasExecutionFailure: z.boolean(),
  failedAt: Timestamp,
});
export type FailureDetails = z.infer<typeof FailureDetailsSchema>;

/** One approver's decision (API.md, "Approvals"): `by` from the credentials, `onBehalfOf` from an intermediary. */
export const ApprovalDecisionSchema = z.object({
  by: z.string().check(z.minLength(1)),
  onBehalfOf: z.optional(z.string().check(z.minLength(1))),
  decision: z.enum(['approve', 'reject']),
  comment: z.optional(z.string()),
  at: Timestamp,
});
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** What an execution awaiting approval needs, and the decisions made so far, in order. */
export const ApprovalSchema = z.object({
  requiredBy: Timestamp,
  approvalsNeeded: z.number().check(z.int(), z.gte(1), z.lte(5)),
  decisions: z.array(ApprovalDecisionSchema),
});
export type Approval = z.infer<typeof ApprovalSchema>;

export const ExecutionRefSchema = z.object({ name: z.string().check(z.maxLength(80)), arn: z.optional(z.string()) });
export type ExecutionRef = z.infer<typeof ExecutionRefSchema>;

/** An admission request after validation and workflow resolution: what gets snapshotted into the record. */
export const ExecutionRequestSchema = z.object({
  targetResource: z.string().check(z.minLength(1)),
  workflowId: z.string().check(z.minLength(1)),
  workflowVersion: z.string().check(z.minLength(1)),
  /** The digest of the version's content when it ran (absent on executions recorded before digests existed). */
  workflowDigest: z.optional(z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/))),
  parameters: ParametersSchema,
  correlationId: z.optional(z.string().check(z.minLength(1))),
  requestedBy: z.string().check(z.minLength(1)),
  /** The person an intermediary requested it for (API.md, "Identity"). */
  onBehalfOf: z.optional(z.string().check(z.minLength(1))),
  source: ExecutionSourceSchema,
  timeoutSeconds: z.optional(z.number().check(z.int(), z.gte(1))),
});
export type ExecutionRequest = z.infer<typeof ExecutionRequestSchema>;

/** The execution object of API.md. Fields that do not apply are absent. */
export const ExecutionSchema = z.extend(ExecutionRequestSchema, {
  id: z.string().check(z.minLength(1)),
  correlationId: z.string().check(z.minLength(1)),
  phase: PhaseSchema,
  skipDetails: z.optional(SkipDetailsSchema),
  failureDetails: z.optional(FailureDetailsSchema),
  approval: z.optional(ApprovalSchema),
  /** Who cancelled it (the identity; an intermediary's `onBehalfOf` is in the audit event). */
  cancelledBy: z.optional(z.string().check(z.minLength(1))),
  executionRef: z.optional(ExecutionRefSchema),
  createdAt: Timestamp,
  startTime: z.optional(Timestamp),
  completionTime: z.optional(Timestamp),
  durationSeconds: z.optional(z.number().check(z.gte(0))),
});
export type Execution = z.infer<typeof ExecutionSchema>;

/** An execution with its audit trail, as the store keeps them: written together, never apart. */
export const ExecutionRecordSchema = z.object({
  execution: ExecutionSchema,
  fencingToken: z.optional(z.number().check(z.int(), z.gte(1))),
  events: z.array(AuditEventSchema),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;

/** The next audit event of an execution: numbered after the ones it already has. */
export function nextAuditEvent(
  execution: Execution,
  previous: readonly AuditEvent[],
  type: AuditEventType,
  at: Date,
  actor: string,
  payload: Record<string, unknown>,
): AuditEvent {
  return {
    seq: previous.length + 1,
    type,
    at: at.toISOString(),
    executionId: execution.id,
    targetResource: execution.targetResource,
    correlationId: execution.correlationId,
    actor,
    payload,
  };
}

/** When a Running execution's `timeoutSeconds` passes; `undefined` before it starts or without a timeout. */
export function deadlineOf(execution: Execution): Date | undefined {
  if (!execution.startTime || !execution.timeoutSeconds) return undefined;
  return new Date(Date.parse(execution.startTime) + execution.timeoutSeconds * 1000);
}

export function durationSeconds(startTime: string, completionTime: string): number {
  return Math.max(0, (Date.parse(completionTime) - Date.parse(startTime)) / 1000);
}
