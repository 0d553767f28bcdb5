// Step Functions `Execution Status Change` events of the engine's state machines → completion.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { deadlineSchedules } from '../lib/adapters/scheduler/deadline-schedules.js';
import { createStatusHandler } from '../lib/handlers/status-handler.js';
import { buildLambdaRuntime } from '../lib/runtime.js';

// No idempotency layer: a completion is idempotent by its write conditioned on phase and fencing token.
const runtime = buildLambdaRuntime(process.env, { deadlineSchedules });

export const handler = middy(
  createStatusHandler({ engine: runtime.engine, appendLogKeys: (keys) => runtime.logger.appendKeys(keys) }),
).use(injectLambdaContext(runtime.logger, { resetKeys: true, correlationIdPath: 'id' }));
