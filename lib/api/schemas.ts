import { z } from 'zod';
import { ParameterNameSchema } from '../domain/execution.js';
import { decimalInteger } from '../domain/decimal-integer.js';
import { PhaseSchema } from '../domain/phase.js';

/** The body of `POST /executions` (and the detail of `WorkflowExecution Requested`). Unknown fields are refused. */
export const ExecutionRequestBodySchema = z.strictObject({
  targetResource: z.string(),
  workflowId: z.string().min(1).max(128),
  workflowVersion: z.string().min(1).max(64).optional(),
  parameters: z.record(ParameterNameSchema, z.string().max(16 * 1024)).optional(),
  correlationId: z.string().min(1).max(256).optional(),
  timeoutSeconds: z.number().int().min(1).max(365 * 24 * 3600).optional(),
});
export type ExecutionRequestBody = z.infer<typeof ExecutionRequestBodySchema>;

export const RequestedEventDetailSchema = ExecutionRequestBodySchema.extend({
  idempotencyKey: z.string().min(1).max(255).optional(),
});

export const ClearanceBodySchema = z.strictObject({
  clearedBy: z.string().trim().min(1).max(256),
  reason: z.string().trim().min(1).max(4096),
});

export const ListQuerySchema = z.strictObject({
  targetResource: z.string({ error: 'targetResource is required: executions are listed per target' }),
  phase: PhaseSchema.optional(),
  limit: decimalInteger(1, 100).default(20),
  nextToken: z.string().min(1).optional(),
});

/** Printable ASCII, as HTTP headers carry it. */
/** 1 to 255 printable ASCII characters, not all blank (an empty or blank key is a mistake, not "no key"). */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x20-\x7e]{0,255}$/, 'must be at most 255 printable ASCII characters')
  .refine((key) => key.trim().length > 0, 'must not be empty or blank');

export const TargetListQuerySchema = z.strictObject({
  state: z.enum(['Running', 'Blocked', 'CoolingDown', 'BackingOff'], { error: 'state is required: one of Running, Blocked, CoolingDown, BackingOff' }),
  limit: decimalInteger(1, 100).default(20),
  nextToken: z.string().min(1).optional(),
});
