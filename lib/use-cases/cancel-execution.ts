import { ConflictError } from '../domain/errors.js';
import type { ExecutionRecord } from '../domain/execution.js';
import { isTerminal, Phase } from '../domain/phase.js';
import { FailureReason } from '../domain/reasons.js';
import { cancelCause } from '../domain/transitions.js';
import { announce, disarmDeadline } from './announce.js';
import { type Engine, policyFor, STOP_ERRORS } from './engine.js';
import { getExecution } from './get-execution.js';
import { runOf } from './start-execution.js';
import { stopRun } from './stop-run.js';

/** A cancel that finds the execution moved on (started, or another cancel won) looks again this many times. */
const ATTEMPTS = 3;

/**
 * Stops an execution on request. It ends Failed/Cancelled and the target is not blocked;
 * `cancelledBy` and the cancelled audit event say who (and for whom) when this cancel ended it.
 * `cancelled` is true only when this request ended it: it stopped the run, or it cancelled
 * a Pending execution. When the workflow finished first, that outcome is recorded and stands.
 */
export async function cancelExecution(
  engine: Engine,
  input: { executionId: string; requestedBy: string; onBehalfOf?: string },
): Promise<{ cancelled: boolean; record: ExecutionRecord }> {
  const { executionId, requestedBy, onBehalfOf } = input;
  const by = { by: requestedBy, ...(onBehalfOf && { onBehalfOf }) };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const current = await getExecution(engine, executionId);
    if (isTerminal(current.execution.phase))
      throw new ConflictError(`execution ${executionId} is already ${current.execution.phase}`);
    // Unique per request: it tells this cancel's stop from any other's.
    const cause = cancelCause(by, engine.newId());
    const stop = { error: STOP_ERRORS.cancelled, cause, actor: requestedBy };
    if (current.execution.phase === Phase.Running) {
      const { stopped, record } = await stopRun(engine, current, stop);
      return { cancelled: stopped, record };
    }
    // Pending is also what an admission answers once it has started the run: a run under the
    // execution's name is stopped and its outcome recorded, as for Running (it may even have finished).
    const run =
      current.fencingToken === undefined
        ? undefined
        : runOf(engine, { ...current, fencingToken: current.fencingToken });
    if (run && (await engine.driver.describe(run.arn))) {
      const { stopped, record } = await stopRun(
        engine,
        { ...current, execution: { ...current.execution, executionRef: run } },
        stop,
      );
      return { cancelled: stopped, record };
    }

    // No run yet: the cancel is the transition. A start racing with it sees the cancel and stops its run.
    // Awaiting approval, nothing can start: its approval no longer applies, and the target is left as it was.
    const awaiting = current.execution.phase === Phase.AwaitingApproval;
    const result = await engine.store.finish({
      executionId,
      targetResource: current.execution.targetResource,
      onlyFrom: awaiting ? Phase.AwaitingApproval : Phase.Pending,
      cancel: by,
      termination: {
        phase: Phase.Failed,
        failure: { reason: FailureReason.Cancelled, message: cause, wasExecutionFailure: false },
      },
      at: engine.clock.now(),
      actor: requestedBy,
      policy: policyFor(engine, current.execution.workflowId, current.execution.workflowVersion),
    });
    if (result.changed) {
      if (awaiting) await disarmDeadline(engine, executionId);
      await announce(engine, result.record);
      return { cancelled: true, record: result.record };
    }
  }
  throw new ConflictError(`execution ${executionId} kept changing while it was being cancelled; retry`);
}
