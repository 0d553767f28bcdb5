// Step Functions `Execution Status Change` events of the engine's state machines → completion.
import { statusLambda } from '../lib/runtime/functions/status.js';

export const handler = statusLambda(process.env);
