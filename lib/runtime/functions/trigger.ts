import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { EventBridgeEvent } from 'aws-lambda';
import { createTriggerHandler, type TriggerOutcome } from '../../handlers/trigger-handler.js';
import type { Engine } from '../../use-cases/engine.js';
import { type FunctionDefinition, lambdaHandler } from '../handler-factory.js';
import { buildLambdaRuntime } from '../runtime.js';

/** EventBridge `WorkflowExecution Requested` → the same admission as POST /executions, idempotent by event id. */
export function triggerFunction(parts: {
  engine: Engine;
  idempotencyStore: BasePersistenceLayer;
}): FunctionDefinition<EventBridgeEvent<string, unknown>, TriggerOutcome> {
  return {
    name: 'trigger',
    correlationIdPath: 'id',
    timeoutMs: 30_000,
    build: (logger, appendLogKeys) =>
      createTriggerHandler({ ...parts, engine: { ...parts.engine, logger }, appendLogKeys }),
  };
}

export function triggerLambda(env: Record<string, string | undefined>) {
  const runtime = buildLambdaRuntime(env, { idempotency: DynamoDBPersistenceLayer });
  return lambdaHandler(
    triggerFunction({ engine: runtime.engine, idempotencyStore: runtime.idempotencyStore }),
    runtime.logger,
  );
}
