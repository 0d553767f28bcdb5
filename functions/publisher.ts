// The table's stream (DynamoDB Streams event source mapping) → domain events on the engine's bus: the outbox.

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { EventBridgePublisher } from '../lib/adapters/eventbridge/domain-event-publisher.js';
import { EmfMetrics } from '../lib/adapters/metrics/emf-metrics.js';
import { readPublisherSettings } from '../lib/contract/environment.js';
import { createPublisherHandler } from '../lib/handlers/publisher-handler.js';

const logger = new Logger({ serviceName: 'lockstep' });
const { eventBusName } = readPublisherSettings(process.env);

export const handler = middy(
  // A refused batch is retried at once by Lambda: the pause keeps a bus outage from becoming a busy loop.
  createPublisherHandler({
    publisher: new EventBridgePublisher(new EventBridgeClient({}), eventBusName),
    logger,
    metrics: new EmfMetrics(),
    pauseAfterRefusalMs: 1_000,
  }),
).use(injectLambdaContext(logger, { resetKeys: true }));
