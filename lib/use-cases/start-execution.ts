import { ExecutionNameTakenError, WorkflowStartError } from '../domain/errors.js';
import { type Execution, type ExecutionRecord } from '../domain/execution.js';
import { executionName } from '../domain/execution-name.js';
import { classifyFailure } from '../domain/failure-classification.js';
import { Phase } from '../domain/phase.js';
import { parseWorkflowInput, workflowInput } from '../domain/workflow-input.js';
import { announce } from './announce.js';
import { completeExecution } from './complete-execution.js';
import { type Engine, policyFor } from './engine.js';
import { recordRunning } from './record-running.js';

export type StartResult =
  /** The run started; `record` is Pending until its start is recorded (see `launchExecution`), or what is stored since. */
  | { kind: 'started'; record: ExecutionRecord }
  /** The service refused the start: the execution is Failed (a pre-execution failure). */
  | { kind: 'failed-to-start'; record: ExecutionRecord; code: string }
  /** The start's outcome is unknown (network); the execution stays Pending and the sweeper retries. */
  | { kind: 'pending'; record: ExecutionRecord; error: unknown };

type Pending = ExecutionRecord & { fencingToken: number };

/**
 * Starts the workflow of an admitted execution under its deterministic name, and nothing
 * more: the admission's second and last call. Recording it Running (its audit event, its
 * deadline, its domain event) is left to the first to hear of the start: the RUNNING status
 * event, or else the sweeper (`startExecution`). Safe to repeat: the same name and input is
 * the same Step Functions execution.
 */
export async function launchExecution(engine: Engine, pending: Pending): Promise<StartResult> {
  const launched = await launch(engine, pending);
  return launched.kind === 'launched' ? { kind: 'started', record: launched.record } : launched;
}

/** The same, then the start recorded at once: the sweeper's repair of a start nobody recorded. */
export async function startExecution(engine: Engine, pending: Pending): Promise<StartResult> {
  const launched = await launch(engine, pending);
  if (launched.kind !== 'launched') return launched;
  if (launched.record.execution.phase !== Phase.Pending) return { kind: 'started', record: launched.record };
  const recorded = await recordRunning(
    engine,
    pending,
    pending.fencingToken,
    { name: launched.name, arn: launched.started.executionArn },
    launched.started.startDate,
  );
  return { kind: 'started', record: recorded.record };
}

type Launch =
  | Exclude<StartResult, { kind: 'started' }>
  | { kind: 'launched'; record: ExecutionRecord; name: string; started: { executionArn: string; startDate: Date } };

async function launch(engine: Engine, pending: Pending): Promise<Launch> {
  const { execution, fencingToken } = pending;
  const name = executionName(execution.targetResource, fencingToken);
  const policy = policyFor(engine, execution.workflowId, execution.workflowVersion);
  let stateMachineArn: string;
  try {
    stateMachineArn = stateMachineOf(engine, execution);
  } catch (error) {
    return failToStart(engine, pending, 'StateMachineDoesNotExist', (error as Error).message, policy);
  }
  try {
    return {
      kind: 'launched',
      record: pending,
      name,
      started: await engine.driver.start({ stateMachineArn, name, input: workflowInput(pending) }),
    };
  } catch (error) {
    if (error instanceof WorkflowStartError) return failToStart(engine, pending, error.code, error.message, policy);
    if (!(error instanceof ExecutionNameTakenError)) return { kind: 'pending', record: pending, error };
  }
  // The name is ours alone (target + token), so an execution under it is this one, started by
  // an earlier try whose answer was lost; it may even have finished since.
  const existing = await engine.driver.describe(engine.driver.executionArn(stateMachineArn, name));
  if (!existing || parseWorkflowInput(existing.input)?.lockstep.executionId !== execution.id) {
    return failToStart(engine, pending, 'ExecutionAlreadyExists', `another execution is named ${name}`, policy);
  }
  if (existing.status === 'RUNNING') return { kind: 'launched', record: pending, name, started: existing };
  await recordRunning(engine, pending, fencingToken, { name, arn: existing.executionArn }, existing.startDate);
  const completed = await completeExecution(engine, existing);
  return {
    kind: 'launched',
    record: completed.kind === 'transition' ? completed.record : pending,
    name,
    started: existing,
  };
}

function stateMachineOf(engine: Engine, execution: Execution): string {
  return engine.stateMachines.stateMachineArn(engine.catalog.resolve(execution.workflowId, execution.workflowVersion));
}

/**
 * Where an admitted execution's run is, started or not: its name is its target and token
 * alone. Undefined when its workflow is not deployed (no run can exist).
 */
export function runOf(engine: Engine, pending: Pending): { name: string; arn: string } | undefined {
  let stateMachineArn: string;
  try {
    stateMachineArn = stateMachineOf(engine, pending.execution);
  } catch {
    return undefined;
  }
  const name = executionName(pending.execution.targetResource, pending.fencingToken);
  return { name, arn: engine.driver.executionArn(stateMachineArn, name) };
}

async function failToStart(
  engine: Engine,
  pending: ExecutionRecord,
  code: string,
  message: string,
  policy: Engine['policy'],
): Promise<Exclude<StartResult, { kind: 'started' }>> {
  const classification = classifyFailure({ status: 'START_FAILED', error: code, cause: message, ran: false });
  const result = await engine.store.finish({
    executionId: pending.execution.id,
    targetResource: pending.execution.targetResource,
    termination: {
      phase: Phase.Failed,
      failure: { reason: classification.reason, message: classification.message, wasExecutionFailure: false },
    },
    at: engine.clock.now(),
    actor: engine.actor,
    policy,
  });
  if (result.changed) await announce(engine, result.record, { startFailed: true });
  return { kind: 'failed-to-start', record: result.record, code };
}
