import { ConflictError } from '../domain/errors.js';
import type { ExecutionRecord } from '../domain/execution.js';
import { completeExecution } from './complete-execution.js';
import type { Engine } from './engine.js';

export interface StopResult {
  /** Whether this stop ended the run: Step Functions shows it ABORTED with this stop's own error and cause. */
  stopped: boolean;
  /** What is stored afterwards: what Step Functions says happened, whoever ended it. */
  record: ExecutionRecord;
}

/**
 * Stops a running workflow and records what Step Functions says happened. A stop that
 * arrives after the workflow finished stops nothing, so the record is never written from
 * the request: it is read back from the run. Each caller passes its own `cause`, so of many
 * concurrent stops exactly one finds its own in the outcome.
 */
export async function stopRun(
  engine: Engine,
  running: ExecutionRecord,
  stop: { error: string; cause: string; actor: string },
): Promise<StopResult> {
  const { id } = running.execution;
  const arn = running.execution.executionRef?.arn;
  if (!arn) throw new ConflictError(`execution ${id} has no run to stop yet`);
  await engine.driver.stop(arn, stop.error, stop.cause);
  const truth = await engine.driver.describe(arn);
  if (!truth) return { stopped: false, record: (await engine.store.getExecution(id)) ?? running }; // gone: the sweeper records that
  if (truth.status === 'RUNNING')
    throw new ConflictError(`the stop of execution ${id} has not taken effect yet; retry`);
  const completed = await completeExecution(
    engine,
    { ...truth, observedAt: engine.clock.now() },
    { actor: stop.actor },
  );
  const record =
    completed.kind === 'transition' ? completed.record : ((await engine.store.getExecution(id)) ?? running);
  return { stopped: truth.status === 'ABORTED' && truth.error === stop.error && truth.cause === stop.cause, record };
}
