import { StatusChangeEventSchema, observationFromStatusEvent } from '../adapters/stepfunctions/status-event.js';
import { completeExecution, type CompletionResult } from '../use-cases/complete-execution.js';
import type { Engine } from '../use-cases/engine.js';

/** Step Functions `Execution Status Change` → completion. Duplicates and reordering are the use case's to absorb. */
export function createStatusHandler(options: { engine: Engine }) {
  return async (event: unknown): Promise<CompletionResult> => completeExecution(options.engine, observationFromStatusEvent(StatusChangeEventSchema.parse(event)));
}
