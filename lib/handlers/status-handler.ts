import { StatusChangeEventSchema } from '../contract/events.js';
import { parseWorkflowInput } from '../domain/workflow-input.js';
import { type CompletionResult, completeExecution } from '../use-cases/complete-execution.js';
import type { Engine } from '../use-cases/engine.js';
import { observationFromStatusEvent } from './status-observation.js';

/** Step Functions `Execution Status Change` → completion. Duplicates and reordering are the use case's to absorb. */
export function createStatusHandler(options: {
  engine: Engine;
  appendLogKeys?: (keys: Record<string, string>) => void;
}) {
  return async (event: unknown): Promise<CompletionResult> => {
    const observation = observationFromStatusEvent(StatusChangeEventSchema.parse(event));
    const input = parseWorkflowInput(observation.input)?.lockstep;
    if (input)
      options.appendLogKeys?.({
        executionId: input.executionId,
        targetResource: input.targetResource,
        correlationId: input.correlationId,
      });
    return completeExecution(options.engine, observation);
  };
}
