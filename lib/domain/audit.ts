import * as z from './zod.js';

export const AuditEventType = {
  SelectionCompleted: 'workflowexecution.selection.completed',
  ExecutionStarted: 'workflowexecution.execution.started',
  ExecutionSkipped: 'workflowexecution.execution.skipped',
  WorkflowCompleted: 'workflowexecution.workflow.completed',
  WorkflowFailed: 'workflowexecution.workflow.failed',
  BlockCleared: 'workflowexecution.block.cleared',
  ApprovalRequested: 'workflowexecution.approval.requested',
  /** One per decision. */
  ApprovalDecided: 'workflowexecution.approval.decided',
  ApprovalExpired: 'workflowexecution.approval.expired',
  ExecutionCancelled: 'workflowexecution.execution.cancelled',
} as const;
export type AuditEventType = (typeof AuditEventType)[keyof typeof AuditEventType];
export const AuditEventTypeSchema = z.enum(AuditEventType);

export const AuditEventSchema = z.object({
  seq: z.number().check(z.int(), z.gte(1)),
  type: AuditEventTypeSchema,
  at: z.iso.datetime(),
  executionId: z.string().check(z.minLength(1)),
  targetResource: z.string().check(z.minLength(1)),
  correlationId: z.string().check(z.minLength(1)),
  actor: z.string().check(z.minLength(1)),
  payload: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;
