import { ConflictError } from '../domain/errors.js';
import { LOCAL_RESTART } from '../domain/local-restart.js';
import { type Step, stepsFromHistory } from '../domain/steps.js';
import type { Engine } from './engine.js';
import { getExecution } from './get-execution.js';

/**
 * An execution's steps as Step Functions ran them, in order; none while it is Pending or when
 * it never started. A run local mode started before it restarted has no history left to
 * tell them: a `ConflictError` says so, rather than an empty list that would mean nothing ran.
 */
export async function getSteps(engine: Engine, executionId: string): Promise<Step[]> {
  const { execution } = await getExecution(engine, executionId);
  const arn = execution.executionRef?.arn;
  if (!arn) return [];
  const history = await engine.driver.history(arn);
  if (history.some((entry) => entry.type === LOCAL_RESTART.historyLostEvent))
    throw new ConflictError(LOCAL_RESTART.stepsUnavailable);
  return stepsFromHistory(history);
}
