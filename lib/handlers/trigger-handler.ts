import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { RequestedEventDetailSchema } from '../contract/events.js';
import { UnknownWorkflowError, ValidationError } from '../domain/errors.js';
import type { Engine } from '../use-cases/engine.js';
import { type PreparedRequest, prepareRequest } from '../use-cases/request-execution.js';
import { idempotentAdmission } from './idempotent-admission.js';
import { parsePart } from './request-checks.js';

/** Outside Lambda (the local bus) a delivery gets the trigger function's timeout as its deadline. */
const LOCAL_DELIVERY_DEADLINE_MS = 30_000;

export type TriggerOutcome =
  | { kind: 'rejected'; reason: string }
  | { kind: 'skipped' | 'awaiting-approval' | 'started' | 'failed-to-start' | 'pending'; executionId: string };

/**
 * The idempotency key of an event, scoped by its source so that two sources may use the same
 * key without touching each other. The pair is encoded as JSON, which is unambiguous for every
 * two strings (joined with colons, source `a:b` with key `c` and source `a` with key `b:c` were one key).
 */
export function eventIdempotencyKey(source: string, key: string): string {
  return `event:${JSON.stringify([source, key])}`;
}

/**
 * `WorkflowExecution Requested` → the same admission as `POST /executions`. EventBridge
 * delivers at least once, so the event's id (or `detail.idempotencyKey`) is the idempotency
 * key: a redelivery returns the first answer. An invalid request (a `detail.idempotencyKey`
 * that breaks the `Idempotency-Key` header's rules among them) is logged with the reason and
 * dropped (retrying cannot fix it); anything else throws, so EventBridge retries it.
 */
export function createTriggerHandler(options: {
  engine: Engine;
  idempotencyStore: BasePersistenceLayer;
  appendLogKeys?: (keys: Record<string, string>) => void;
}) {
  const { engine } = options;
  const admitOnce = idempotentAdmission(engine, options.idempotencyStore, LOCAL_DELIVERY_DEADLINE_MS);

  return async (event: EventBridgeEvent<string, unknown>, context?: Context): Promise<TriggerOutcome> => {
    let prepared: PreparedRequest;
    let key: string;
    try {
      const detail = parsePart(RequestedEventDetailSchema, event.detail, 'detail');
      const { idempotencyKey, ...body } = detail;
      prepared = prepareRequest(engine, { ...body, requestedBy: `event:${event.source}`, source: 'event' }, 'detail');
      key = eventIdempotencyKey(event.source, idempotencyKey ?? event.id);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof UnknownWorkflowError) {
        const reason =
          error instanceof ValidationError && error.details.length > 0 ? error.details.join('; ') : error.message;
        engine.logger.error('WorkflowExecution Requested event rejected', {
          eventId: event.id,
          source: event.source,
          reason,
        });
        return { kind: 'rejected', reason };
      }
      throw error;
    }
    const { kind, record } = await admitOnce(key, prepared, context);
    const { id: executionId, targetResource, correlationId, phase, skipDetails } = record.execution;
    options.appendLogKeys?.({ executionId, targetResource, correlationId });
    // What this event did, found by its id (PutEvents answers it): the execution, and why it was skipped if it was.
    engine.logger.info('WorkflowExecution Requested event handled', {
      eventId: event.id,
      source: event.source,
      executionId,
      targetResource,
      correlationId,
      outcome: kind,
      phase,
      ...(skipDetails && { skipReason: skipDetails.reason }),
    });
    return { kind, executionId };
  };
}
