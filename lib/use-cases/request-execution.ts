import { type ApprovalTerms, approvalTermsFor } from '../domain/approval.js';
import { ConflictError, ValidationError } from '../domain/errors.js';
import {
  type Execution,
  type ExecutionRecord,
  type ExecutionRequest,
  ExecutionRequestSchema,
  type ExecutionSource,
  type SkipDetails,
} from '../domain/execution.js';
import { parametersSizeProblem } from '../domain/item-size.js';
import { Phase } from '../domain/phase.js';
import { canonicalTargetResource } from '../domain/target-resource.js';
import { userPattern } from '../domain/user-pattern.js';
import { checkParameters } from '../domain/workflow-parameters.js';
import { announce } from './announce.js';
import { type Engine, policyFor } from './engine.js';
import { armApprovalDeadline } from './expire-approval.js';
import { launchExecution, type StartResult } from './start-execution.js';

export interface ExecutionRequestInput {
  targetResource: string;
  workflowId: string;
  workflowVersion?: string;
  parameters?: Record<string, string>;
  correlationId?: string;
  timeoutSeconds?: number;
  requestedBy: string;
  /** The person an intermediary requested it for (the API allowed it: lib/handlers/api-handler.ts). */
  onBehalfOf?: string;
  source: (typeof ExecutionSource)[keyof typeof ExecutionSource];
}

export type RequestResult =
  | { kind: 'skipped'; record: ExecutionRecord; skipDetails: SkipDetails }
  /** Admitted, holding its target, and waiting for its approvals: nothing was started. */
  | { kind: 'awaiting-approval'; record: ExecutionRecord }
  | StartResult;

/** A request that passed every check; admitting it is the first write. */
export interface PreparedRequest {
  request: ExecutionRequest;
  /** Its workflow needs approval for its target, on these terms. */
  approval?: ApprovalTerms;
}

/** "Run workflow W against target R": validation, then admission and start. */
export async function requestExecution(engine: Engine, input: ExecutionRequestInput): Promise<RequestResult> {
  return admitAndStart(engine, prepareRequest(engine, input));
}

/**
 * Validates and resolves a request without any I/O: what fails here has written nothing.
 * `where` is what the details name the request by: the API's `body`, an event's `detail`.
 */
export function prepareRequest(
  engine: Engine,
  input: ExecutionRequestInput,
  where: 'body' | 'detail' = 'body',
): PreparedRequest {
  const targetResource = canonicalTargetResource(input.targetResource, `${where}.targetResource`);
  const workflow = engine.catalog.resolve(input.workflowId, input.workflowVersion);
  if (workflow.runnableLocally === false) {
    throw new ValidationError(
      `workflow ${workflow.id} version ${workflow.version} runs the existing state machine ${workflow.stateMachineArn} and has no definition to stand in for it locally`,
      [`${where}.workflowId: this workflow cannot run in local mode (give it a stand-in definition to run it here)`],
    );
  }
  if (workflow.targetPattern !== undefined && !userPattern(workflow.targetPattern).test(targetResource)) {
    throw new ValidationError(`target ${targetResource} is not one workflow ${workflow.id} acts on`, [
      `${where}.targetResource: must match ${workflow.targetPattern}, the targetPattern of workflow ${workflow.id}`,
    ]);
  }
  const parameters = checkParameters(workflow, workflow.parameters, input.parameters ?? {}, where);
  const approval = approvalTermsFor(workflow.policy, targetResource);
  // Defaults can make the stored parameters larger than any body: refused here, or the record would not fit its item (a 500).
  const sizeProblem = parametersSizeProblem(parameters);
  if (sizeProblem)
    throw new ValidationError(`the parameters of workflow ${workflow.id} are too large to store`, [
      `${where}.parameters: ${sizeProblem}`,
    ]);
  return {
    request: ExecutionRequestSchema.parse({
      targetResource,
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      workflowDigest: workflow.digest,
      parameters,
      requestedBy: input.requestedBy,
      ...(input.onBehalfOf && { onBehalfOf: input.onBehalfOf }),
      source: input.source,
      timeoutSeconds: input.timeoutSeconds ?? policyFor(engine, workflow.id, workflow.version).executionTimeoutSeconds,
      ...(input.correlationId && { correlationId: input.correlationId }),
    }),
    ...(approval && { approval }),
  };
}

/**
 * Admits a prepared request on the target's lock and starts its workflow: two calls in
 * sequence, the lock and StartExecution, and the answer is the execution as stored, Pending
 * (the RUNNING status event, or the sweeper, records the start). With
 * `executionId` (derived from an idempotency key), the id is admitted at most once: a retry
 * gets the execution the first attempt created, and finishes its start if that attempt died
 * after taking the lock.
 */
export async function admitAndStart(
  engine: Engine,
  { request, approval }: PreparedRequest,
  identity?: { executionId: string },
): Promise<RequestResult> {
  const admission = await engine.store.admit({
    request,
    executionId: identity?.executionId ?? engine.newId(),
    at: engine.clock.now(),
    ...(identity && { exclusive: true }),
    ...(approval && { approval }),
  });
  if (admission.admitted) {
    if (admission.record.execution.phase !== Phase.AwaitingApproval) return launchExecution(engine, admission.record);
    await armApprovalDeadline(engine, admission.record.execution);
    await announce(engine, admission.record);
    return { kind: 'awaiting-approval', record: admission.record };
  }
  if (!admission.existing) {
    await announce(engine, admission.record);
    return { kind: 'skipped', record: admission.record, skipDetails: admission.skipDetails };
  }
  const { record } = admission;
  assertSameRequest(record.execution, request);
  if (record.execution.phase === Phase.Pending && record.fencingToken !== undefined)
    return launchExecution(engine, { ...record, fencingToken: record.fencingToken });
  if (record.execution.phase === Phase.AwaitingApproval) return { kind: 'awaiting-approval', record };
  if (record.execution.skipDetails) return { kind: 'skipped', record, skipDetails: record.execution.skipDetails };
  return { kind: 'started', record };
}

/** A key stands for one request: what the caller chose must match (derived fields such as the latest version may move on). */
function assertSameRequest(stored: Execution, request: ExecutionRequest): void {
  const same =
    stored.targetResource === request.targetResource &&
    stored.workflowId === request.workflowId &&
    JSON.stringify(Object.entries(stored.parameters).sort()) ===
      JSON.stringify(Object.entries(request.parameters).sort()) &&
    (request.correlationId === undefined || stored.correlationId === request.correlationId);
  if (!same) throw new ConflictError('this idempotency key was already used with a different request');
}
