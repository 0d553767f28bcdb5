import { stepsFromHistory, type Step } from '../domain/steps.js';
import type { Engine } from './engine.js';
import { getExecution } from './get-execution.js';

/** An execution's steps as Step Functions ran them, in order; none while it is Pending or when it never started. */
export async function getSteps(engine: Engine, executionId: string): Promise<Step[]> {
  const { execution } = await getExecution(engine, executionId);
  const arn = execution.executionRef?.arn;
  return arn ? stepsFromHistory(await engine.driver.history(arn)) : [];
}
