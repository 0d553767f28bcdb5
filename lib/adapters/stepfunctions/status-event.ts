import * as z from '../../domain/zod.js';
import type { StatusObservation } from '../../ports/index.js';

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
  source: z.literal('aws.states'),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: StatusChangeDetailSchema,
});
export type StatusChangeEvent = z.infer<typeof StatusChangeEventSchema>;

/** What a status event says about its execution. A missing stopDate stays missing; `observedAt` is the event's time. */
export function observationFromStatusEvent(event: StatusChangeEvent): StatusObservation {
  const { detail } = event;
  return {
    executionArn: detail.executionArn,
    name: detail.name,
    status: detail.status,
    startDate: new Date(detail.startDate),
    ...(detail.stopDate != null && { stopDate: new Date(detail.stopDate) }),
    ...(detail.input != null && { input: detail.input }),
    ...(detail.output != null && { output: detail.output }),
    ...(detail.error != null && { error: detail.error }),
    ...(detail.cause != null && { cause: detail.cause }),
    observedAt: new Date(event.time),
  };
}
