import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { ZodError } from 'zod';
import { RequestedEventDetailSchema } from '../api/schemas.js';
import { ValidationError } from '../domain/errors.js';
import type { Engine } from '../use-cases/engine.js';
import { admitAndStart, prepareRequest, type PreparedRequest } from '../use-cases/request-execution.js';
import { UnknownWorkflowError } from '../workflows/catalog.js';

export const REQUESTED_DETAIL_TYPE = 'WorkflowExecution Requested';
/** Outside Lambda (the local bus) a delivery gets the trigger function's timeout as its deadline. */
const LOCAL_DELIVERY_DEADLINE = { getRemainingTimeInMillis: () => 30_000 } as Context;

export type TriggerOutcome = { kind: 'rejected'; reason: string } | { kind: 'skipped' | 'started' | 'failed-to-start' | 'pending'; executionId: string };

/**
 * `WorkflowExecution Requested` → the same admission as `POST /executions`. EventBridge
 * delivers at least once, so the event's id (or `detail.idempotencyKey`) is the idempotency
 * key: a redelivery returns the first answer. An invalid request is logged and dropped
 * (retrying cannot fix it); anything else throws, so EventBridge retries it.
 */
export function createTriggerHandler(options: { engine: Engine; idempotencyStore: BasePersistenceLayer; appendLogKeys?: (keys: Record<string, string>) => void }) {
  const { engine } = options;
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'request', expiresAfterSeconds: 24 * 3600 });
  const admitOnce = makeIdempotent(
    async (input: { key: string } & PreparedRequest): Promise<TriggerOutcome> => {
      const { kind, record } = await admitAndStart(engine, input);
      return { kind, executionId: record.execution.id };
    },
    { persistenceStore: options.idempotencyStore, config },
  );

  return async (event: EventBridgeEvent<string, unknown>, context?: Context): Promise<TriggerOutcome> => {
    config.registerLambdaContext(context ?? LOCAL_DELIVERY_DEADLINE);
    let prepared: PreparedRequest;
    let key: string;
    try {
      const detail = RequestedEventDetailSchema.parse(event.detail);
      const { idempotencyKey, ...body } = detail;
      prepared = prepareRequest(engine, { ...body, requestedBy: `event:${event.source}`, source: 'event' });
      key = `event:${idempotencyKey ?? event.id}`;
    } catch (error) {
      if (error instanceof ZodError || error instanceof ValidationError || error instanceof UnknownWorkflowError) {
        const reason = error instanceof ZodError ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : error.message;
        engine.logger.error('WorkflowExecution Requested event rejected', { eventId: event.id, source: event.source, reason });
        return { kind: 'rejected', reason };
      }
      throw error;
    }
    const outcome = await admitOnce({ key, ...prepared });
    if ('executionId' in outcome) {
      const { targetResource, correlationId } = prepared.request;
      options.appendLogKeys?.({ executionId: outcome.executionId, targetResource, ...(correlationId && { correlationId }) });
    }
    return outcome;
  };
}
