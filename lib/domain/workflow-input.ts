import type { ExecutionRecord } from './execution.js';
import * as z from './zod.js';

/**
 * What a workflow receives. It is built only from the stored record, so a retried
 * StartExecution sends byte-for-byte the same input and Step Functions treats it as the
 * same execution. Status events carry it back, which is how they find their execution.
 */
export const WorkflowInputSchema = z.object({
  lockstep: z.object({
    executionId: z.string(),
    targetResource: z.string(),
    workflowId: z.string(),
    workflowVersion: z.string(),
    correlationId: z.string(),
    fencingToken: z.number().check(z.int()),
  }),
  parameters: z.record(z.string(), z.string()),
});
export type WorkflowInput = z.infer<typeof WorkflowInputSchema>;

export function workflowInput(record: ExecutionRecord & { fencingToken: number }): string {
  const { execution, fencingToken } = record;
  const input: WorkflowInput = {
    lockstep: {
      executionId: execution.id,
      targetResource: execution.targetResource,
      workflowId: execution.workflowId,
      workflowVersion: execution.workflowVersion,
      correlationId: execution.correlationId,
      fencingToken,
    },
    parameters: execution.parameters,
  };
  return JSON.stringify(input);
}

/** The engine's part of an execution input, or undefined for an execution Lockstep did not start. */
export function parseWorkflowInput(input: string | undefined | null): WorkflowInput | undefined {
  if (!input) return undefined;
  try {
    const parsed = WorkflowInputSchema.safeParse(JSON.parse(input));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
