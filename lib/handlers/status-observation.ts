import type { StatusChangeEvent } from '../contract/events.js';
import type { StatusObservation } from '../ports/index.js';

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
