import { executionChanges, type StreamRecord } from '../adapters/dynamodb/stream-changes.js';
import type { DomainEventPublisher, EngineLogger, EngineMetrics } from '../ports.js';
import { publishDomainEvents } from '../use-cases/publish-domain-events.js';

/** Lambda's partial batch response: the stream is read again from the first record named. */
export interface StreamBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The table's stream → domain events on the bus. On AWS an event source mapping calls it
 * (ReportBatchItemFailures, so the stream is retried from the first unpublished record);
 * in local mode the stream reader does, with the same event shape.
 */
export function createPublisherHandler(options: { publisher: DomainEventPublisher; logger: EngineLogger; metrics: Pick<EngineMetrics, 'domainEventsUnpublished'>; pauseAfterRefusalMs?: number }) {
  return async (event: { Records?: StreamRecord[] }): Promise<StreamBatchResponse> => {
    const outcome = await publishDomainEvents(options, executionChanges(event.Records ?? []));
    if (!outcome.retryFrom) return { batchItemFailures: [] };
    options.metrics.domainEventsUnpublished(outcome.unpublished);
    if (options.pauseAfterRefusalMs) await new Promise((resolve) => setTimeout(resolve, options.pauseAfterRefusalMs));
    return { batchItemFailures: [{ itemIdentifier: outcome.retryFrom }] };
  };
}
