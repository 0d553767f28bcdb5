import { z } from 'zod';

export const AuditEventType = {
  SelectionCompleted: 'workflowexecution.selection.completed',
  ExecutionStarted: 'workflowexecution.execution.started',
  ExecutionSkipped: 'workflowexecution.execution.skipped',
  WorkflowCompleted: 'workflowexecution.workflow.completed',
  WorkflowFailed: 'workflowexecution.workflow.failed',
  BlockCleared: 'workflowexecution.block.cleared',
} as const;
export type AuditEventType = (typeof AuditEventType)[keyof typeof AuditEventType];
export const AuditEventTypeSchema = z.enum(AuditEventType);

export const AuditEventSchema = z.object({
  seq: z.number().int().min(1),
  type: AuditEventTypeSchema,
  at: z.iso.datetime(),
  executionId: z.string().min(1),
  targetResource: z.string().min(1),
  correlationId: z.string().min(1),
  actor: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;
