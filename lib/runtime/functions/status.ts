import { deadlineSchedules } from '../../adapters/scheduler/deadline-schedules.js';
import { createStatusHandler } from '../../handlers/status-handler.js';
import type { CompletionResult } from '../../use-cases/complete-execution.js';
import type { Engine } from '../../use-cases/engine.js';
import { type FunctionDefinition, lambdaHandler } from '../handler-factory.js';
import { buildLambdaRuntime } from '../runtime.js';

/** Step Functions `Execution Status Change` events of the engine's state machines → completion. */
export function statusFunction(parts: { engine: Engine }): FunctionDefinition<unknown, CompletionResult> {
  return {
    name: 'status',
    correlationIdPath: 'id',
    timeoutMs: 30_000,
    build: (logger, appendLogKeys) => createStatusHandler({ engine: { ...parts.engine, logger }, appendLogKeys }),
  };
}

// No idempotency layer: a completion is idempotent by its write conditioned on phase and fencing token.
export function statusLambda(env: Record<string, string | undefined>) {
  const runtime = buildLambdaRuntime(env, { deadlineSchedules });
  return lambdaHandler(statusFunction({ engine: runtime.engine }), runtime.logger);
}
