// Scheduled: repairs what status events missed (see lib/use-cases/sweep.ts).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { readLambdaSettings } from '../lib/config.js';
import { createSweeperHandler } from '../lib/handlers/sweeper-handler.js';
import { buildRuntime } from '../lib/runtime.js';

const runtime = buildRuntime(readLambdaSettings(process.env));

export const handler = middy(createSweeperHandler({ engine: runtime.engine })).use(injectLambdaContext(runtime.logger, { resetKeys: true }));
