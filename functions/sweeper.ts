// Scheduled: repairs what status events missed (see lib/use-cases/sweep.ts).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { deadlineSchedules } from '../lib/adapters/scheduler/deadline-schedules.js';
import { createSweeperHandler } from '../lib/handlers/sweeper-handler.js';
import { buildLambdaRuntime } from '../lib/runtime.js';

// No idempotency layer: every repair a sweep makes is a conditional write, so a repeated sweep changes nothing.
const runtime = buildLambdaRuntime(process.env, { deadlineSchedules });

export const handler = middy(createSweeperHandler({ engine: runtime.engine })).use(
  injectLambdaContext(runtime.logger, { resetKeys: true }),
);
