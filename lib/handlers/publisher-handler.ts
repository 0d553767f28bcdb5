import type { DomainEventPublisher, EngineLogger, EngineMetrics } from '../ports/index.js';
import { publishDomainEvents } from '../use-cases/publish-domain-events.js';
import { executionChanges, type StreamRecord } from './stream-changes.js';

/** Lambda's partial batch response: the stream is read again from the first record named. */
export interface StreamBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The table's stream → domain events on the bus. On AWS an event source mapping calls it
 * (ReportBatchItemFailures, so the stream is retried from the first unpublished record);
 * in local mode the stream reader does, with the same event shape. Each event the bus took
 * is logged at INFO as `domain event published`, one structured line, so that its logs (and
 * local mode's standard output) show what was published.
 */
export function createPublisherHandler(options: {
  publisher: DomainEventPublisher;
  logger: EngineLogger;
  metrics: Pick<EngineMetrics, 'domainEventsUnpublished'>;
  pauseAfterRefusalMs?: number;
}) {
  return async (event: { Records?: StreamRecord[] }): Promise<StreamBatchResponse> => {
    const outcome = await publishDomainEvents(options, executionChanges(event.Records ?? []));
    for (const { event: published, eventId, truncated } of outcome.published) {
      const { id: executionId, targetResource, phase } = published.execution;
      options.logger.info('domain event published', {
        detailType: published.type,
        executionId,
        targetResource,
        phase,
        ...(eventId !== undefined && { eventId }),
        ...(truncated && { truncated }),
      });
    }
    if (!outcome.retryFrom) return { batchItemFailures: [] };
    options.metrics.domainEventsUnpublished(outcome.unpublished);
    if (options.pauseAfterRefusalMs) await new Promise((resolve) => setTimeout(resolve, options.pauseAfterRefusalMs));
    return { batchItemFailures: [{ itemIdentifier: outcome.retryFrom }] };
  };
}
