// Scheduled: repairs what status events missed (see lib/use-cases/sweep.ts), and enforces a deadline when its schedule fires.
import { sweeperLambda } from '../lib/runtime/functions/sweeper.js';

export const handler = sweeperLambda(process.env);
