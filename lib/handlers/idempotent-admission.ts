import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { ExecutionRecord } from '../domain/execution.js';
import type { Engine } from '../use-cases/engine.js';
import { admitAndStart, type PreparedRequest, type RequestResult } from '../use-cases/request-execution.js';

/** What the idempotency layer stores and replays for a key: the first answer. */
export interface AdmissionAnswer {
  kind: RequestResult['kind'];
  record: ExecutionRecord;
}

/**
 * Admission and start behind Powertools Idempotency: the same key gets the first answer
 * for 24 hours, a concurrent duplicate is refused as in progress, and the same key with
 * another request is refused. Shared by the API (Idempotency-Key) and the trigger (event id).
 *
 * `localDeadlineMs` stands in for the Lambda context outside Lambda (local mode), so that
 * a record left in progress by a crash still expires.
 */
export function idempotentAdmission(engine: Engine, persistenceStore: BasePersistenceLayer, localDeadlineMs: number) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'request', expiresAfterSeconds: 24 * 3600 });
  const localDeadline = { getRemainingTimeInMillis: () => localDeadlineMs } as Context;
  const admitOnce = makeIdempotent(
    async (input: { key: string } & PreparedRequest): Promise<AdmissionAnswer> => {
      const { kind, record } = await admitAndStart(engine, input);
      return { kind, record };
    },
    { persistenceStore, config },
  );
  return (key: string, prepared: PreparedRequest, context?: Context): Promise<AdmissionAnswer> => {
    config.registerLambdaContext(context ?? localDeadline);
    return admitOnce({ key, ...prepared });
  };
}
