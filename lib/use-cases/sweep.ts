import { executionName } from '../domain/execution-name.js';
import { mayHaveRunBeforeRestart } from '../domain/local-restart.js';
import { isTerminal, Phase } from '../domain/phase.js';
import { addSeconds, type Policy } from '../domain/policies.js';
import type { TargetState } from '../domain/target.js';
import { announce } from './announce.js';
import { completeExecution, lockStolen, lostInRestart } from './complete-execution.js';
import { enforceApprovalDeadline, enforceDeadline } from './enforce-deadline.js';
import { type Engine, policyFor } from './engine.js';
import { runOf, startExecution } from './start-execution.js';

export type Repair =
  | 'finished-start'
  | 'missed-completion'
  | 'deadline'
  | 'vanished'
  | 'lost-in-restart'
  | 'orphan-lock';

export interface SweepReport {
  examined: number;
  repairs: { executionId: string; targetResource: string; repair: Repair }[];
  errors: { executionId: string; targetResource: string; error: string }[];
}

/**
 * Repairs what events missed. It reads only the targets held right now (the `Running` and
 * `AwaitingApproval` shards of the `active` index) and each holder's execution, so its cost follows
 * active executions, never history. Each target is repaired on its own: one failure does not stop the sweep.
 * An approval whose `requiredBy` has passed is expired here when no timer or schedule did it.
 */
export async function sweep(engine: Engine): Promise<SweepReport> {
  const report: SweepReport = { examined: 0, repairs: [], errors: [] };
  for (const state of ['Running', 'AwaitingApproval'] as const) await sweepHeld(engine, state, report);
  return report;
}

async function sweepHeld(engine: Engine, state: 'Running' | 'AwaitingApproval', report: SweepReport): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await engine.store.listTargets({
      state,
      at: engine.clock.now(),
      limit: 100,
      ...(nextToken && { nextToken }),
    });
    for (const target of page.items) {
      const holder = target.holder;
      if (!holder) continue;
      report.examined++;
      const where = { executionId: holder.execution.id, targetResource: target.targetResource };
      try {
        const repair = await repairTarget(engine, target);
        if (repair) report.repairs.push({ ...where, repair });
      } catch (error) {
        report.errors.push({ ...where, error: (error as Error).message });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
}

async function repairTarget(engine: Engine, target: TargetState): Promise<Repair | undefined> {
  const holder = target.holder!;
  const { id, workflowId, workflowVersion } = holder.execution;
  const policy = policyFor(engine, workflowId, workflowVersion);
  const now = engine.clock.now();
  const record = await engine.store.getExecution(id, target);
  if (!record) return undefined;

  if (isTerminal(record.execution.phase)) {
    return (await engine.store.releaseLock({
      targetResource: target.targetResource,
      executionId: id,
      fencingToken: target.fencingToken,
      policy,
    }))
      ? 'orphan-lock'
      : undefined;
  }

  if (record.execution.phase === Phase.AwaitingApproval) {
    // Not a repair (no alarm): where no timer or schedule was armed at admission, expiring is the sweeper's job.
    await enforceApprovalDeadline(engine, record);
    return undefined;
  }

  if (record.execution.phase === Phase.Pending) {
    // A start that crashed between the lock (or the approval that made it Pending) and StartExecution:
    // the same name makes a retry safe. The grace runs from the last thing recorded.
    const since = record.events.at(-1)?.at ?? record.execution.createdAt;
    if (addSeconds(new Date(since), policy.startGraceSeconds) > now) return undefined;
    const pending = { ...record, fencingToken: target.fencingToken };
    if (mayHaveRunBeforeRestart(record.execution.createdAt, engine.runsKnownSince)) {
      // Its name may have run on the endpoint before it restarted: unless the endpoint knows the run, starting it could run it twice.
      const run = runOf(engine, pending);
      if (!run || !(await engine.driver.describe(run.arn)))
        return settleLostInRestart(engine, record.execution.id, target, policy);
    }
    const result = await startExecution(engine, pending);
    return result.kind === 'pending' ? undefined : 'finished-start';
  }

  const arn = record.execution.executionRef?.arn ?? '';
  const description = await engine.driver.describe(arn);
  if (!description) {
    if (mayHaveRunBeforeRestart(record.execution.createdAt, engine.runsKnownSince))
      return settleLostInRestart(engine, id, target, policy);
    // Deleted outside the engine, expired, or lost with a restarted local engine: which one cannot be known.
    const name = executionName(target.targetResource, target.fencingToken);
    const result = await engine.store.finish({
      executionId: id,
      targetResource: target.targetResource,
      termination: lockStolen(
        `the Step Functions execution ${name} no longer exists (deleted or stopped outside the engine, expired, or lost when a local engine restarted), so how it ended is unknown`,
      ),
      at: now,
      actor: engine.actor,
      policy,
    });
    if (result.changed) await announce(engine, result.record);
    return result.changed ? 'vanished' : undefined;
  }
  if (description.status === 'RUNNING') {
    const check = await enforceDeadline(engine, record);
    return check.kind === 'enforced' && check.stopped ? 'deadline' : undefined;
  }
  const completed = await completeExecution(engine, { ...description, observedAt: now });
  return completed.kind === 'transition' && completed.changed ? 'missed-completion' : undefined;
}

/** An execution whose run local mode may have started before it restarted, and then forgot: ended as the journal ends such a run. */
async function settleLostInRestart(
  engine: Engine,
  executionId: string,
  target: TargetState,
  policy: Policy,
): Promise<Repair | undefined> {
  const result = await engine.store.finish({
    executionId,
    targetResource: target.targetResource,
    termination: lostInRestart(),
    at: engine.clock.now(),
    actor: engine.actor,
    policy,
  });
  if (result.changed) await announce(engine, result.record);
  return result.changed ? 'lost-in-restart' : undefined;
}
