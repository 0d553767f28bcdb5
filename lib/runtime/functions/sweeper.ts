import { deadlineSchedules } from '../../adapters/scheduler/deadline-schedules.js';
import { createSweeperHandler } from '../../handlers/sweeper-handler.js';
import type { Engine } from '../../use-cases/engine.js';
import type { SweepReport } from '../../use-cases/sweep.js';
import { type FunctionDefinition, lambdaHandler } from '../handler-factory.js';
import { buildLambdaRuntime } from '../runtime.js';

/** Scheduled: repairs what status events missed (see lib/use-cases/sweep.ts); and a deadline when its schedule fires. */
export function sweeperFunction(parts: {
  engine: Engine;
}): FunctionDefinition<unknown, SweepReport | { deadlineOf: string; next?: string }> {
  return {
    name: 'sweeper',
    // The sweeper's timeout in cdk/lockstep.ts.
    timeoutMs: 120_000,
    build: (logger) => createSweeperHandler({ engine: { ...parts.engine, logger } }),
  };
}

// No idempotency layer: every repair a sweep makes is a conditional write, so a repeated sweep changes nothing.
export function sweeperLambda(env: Record<string, string | undefined>) {
  const runtime = buildLambdaRuntime(env, { deadlineSchedules });
  return lambdaHandler(sweeperFunction({ engine: runtime.engine }), runtime.logger);
}
