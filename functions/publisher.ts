// The table's stream (DynamoDB Streams event source mapping) → domain events on the engine's bus: the outbox.
import { publisherLambda } from '../lib/runtime/functions/publisher.js';

export const handler = publisherLambda(process.env);
