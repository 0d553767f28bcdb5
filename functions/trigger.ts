// EventBridge `WorkflowExecution Requested` → the same admission as POST /executions, idempotent by event id.
import { triggerLambda } from '../lib/runtime/functions/trigger.js';

export const handler = triggerLambda(process.env);
