import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../adapters/eventbridge/domain-event-publisher.js';
import { EmfMetrics } from '../../adapters/metrics/emf-metrics.js';
import { readPublisherSettings } from '../../contract/environment.js';
import { createPublisherHandler, type StreamBatchResponse } from '../../handlers/publisher-handler.js';
import type { StreamRecord } from '../../handlers/stream-changes.js';
import type { DomainEventPublisher, EngineMetrics } from '../../ports/index.js';
import { engineLogger } from '../engine-logger.js';
import { type FunctionDefinition, lambdaHandler } from '../handler-factory.js';

/** The table's stream (DynamoDB Streams event source mapping, or local mode's stream reader) → domain events on the bus: the outbox. */
export function publisherFunction(parts: {
  publisher: DomainEventPublisher;
  metrics: Pick<EngineMetrics, 'domainEventsUnpublished'>;
  pauseAfterRefusalMs?: number;
}): FunctionDefinition<{ Records?: StreamRecord[] }, StreamBatchResponse> {
  return {
    name: 'publisher',
    timeoutMs: 30_000,
    build: (logger) => createPublisherHandler({ ...parts, logger }),
  };
}

export function publisherLambda(env: Record<string, string | undefined>) {
  const { eventBusName } = readPublisherSettings(env);
  return lambdaHandler(
    publisherFunction({
      publisher: new EventBridgePublisher(new EventBridgeClient({}), eventBusName),
      metrics: new EmfMetrics(),
      // A refused batch is retried at once by Lambda: the pause keeps a bus outage from becoming a busy loop.
      pauseAfterRefusalMs: 1_000,
    }),
    engineLogger(),
  );
}
