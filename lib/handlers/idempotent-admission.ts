import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { ExecutionRecord } from '../domain/execution.js';
import { executionIdForKey } from '../domain/execution-name.js';
import type { Engine } from '../use-cases/engine.js';
import { admitAndStart, type PreparedRequest, type RequestResult } from '../use-cases/request-execution.js';

/** What the idempotency layer stores and replays for a key: the first answer. */
export interface AdmissionAnswer {
  kind: RequestResult['kind'];
  record: ExecutionRecord;
}

/**
 * Admission and start for a key that is already scoped by its caller (`api:<principal>:<key>`,
 * `event:["<source>","<key>"]`). Two layers, each for what it does best:
 * - the execution id is derived from the key before anything is written, and the store
 *   admits that id at most once: whatever point a first attempt died at, and whenever a
 *   retry comes, it finds the same execution (this is the guarantee);
 * - Powertools Idempotency replays the first answer for 24 hours, refuses a concurrent
 *   duplicate as in progress (409), and refuses the same key with another request (409).
 *
 * `localDeadlineMs` stands in for the Lambda context outside Lambda (local mode): it bounds
 * how long a record left in progress by a crash answers 409 before the retry goes through.
 */
export function idempotentAdmission(engine: Engine, persistenceStore: BasePersistenceLayer, localDeadlineMs: number) {
  const localDeadline = { getRemainingTimeInMillis: () => localDeadlineMs } as Context;
  let layer: ReturnType<typeof buildLayer> | undefined;
  const buildLayer = async () => {
    const { IdempotencyConfig, makeIdempotent } = await import('./idempotency-kit.js');
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      payloadValidationJmesPath: 'request',
      expiresAfterSeconds: 24 * 3600,
    });
    const admitOnce = makeIdempotent(
      async (input: { key: string } & PreparedRequest): Promise<AdmissionAnswer> => {
        const { kind, record } = await admitAndStart(engine, input, { executionId: executionIdForKey(input.key) });
        return { kind, record };
      },
      { persistenceStore, config },
    );
    return { config, admitOnce };
  };
  return async (key: string, prepared: PreparedRequest, context?: Context): Promise<AdmissionAnswer> => {
    layer ??= buildLayer();
    const { config, admitOnce } = await layer;
    config.registerLambdaContext(context ?? localDeadline);
    return admitOnce({ key, ...prepared });
  };
}
