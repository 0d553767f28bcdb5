import { canonicalTargetResource } from '../domain/target-resource.js';
import type { ExecutionRecord, ExecutionSource, SkipDetails } from '../domain/execution.js';
import { effectiveParameters } from '../workflows/catalog.js';
import type { Engine } from './engine.js';
import { startExecution, type StartResult } from './start-execution.js';

export interface ExecutionRequestInput {
  targetResource: string;
  workflowId: string;
  workflowVersion?: string;
  parameters?: Record<string, string>;
  correlationId?: string;
  timeoutSeconds?: number;
  requestedBy: string;
  source: (typeof ExecutionSource)[keyof typeof ExecutionSource];
}

export type RequestResult = { kind: 'skipped'; record: ExecutionRecord; skipDetails: SkipDetails } | StartResult;

/**
 * "Run workflow W against target R": validates and resolves the request (before any
 * write), admits it on the target's lock, and starts the workflow.
 */
export async function requestExecution(engine: Engine, input: ExecutionRequestInput): Promise<RequestResult> {
  const targetResource = canonicalTargetResource(input.targetResource);
  const workflow = engine.catalog.resolve(input.workflowId, input.workflowVersion);
  const { parameters, ignored } = effectiveParameters(workflow, input.parameters ?? {});
  const admission = await engine.store.admit({
    request: {
      targetResource,
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      parameters,
      requestedBy: input.requestedBy,
      source: input.source,
      timeoutSeconds: input.timeoutSeconds ?? { ...engine.policy, ...workflow.policy }.executionTimeoutSeconds,
      ...(input.correlationId && { correlationId: input.correlationId }),
    },
    executionId: engine.newId(),
    at: engine.clock.now(),
    ...(ignored.length > 0 && { auditPayload: { ignoredParameters: ignored } }),
  });
  if (!admission.admitted) return { kind: 'skipped', record: admission.record, skipDetails: admission.skipDetails };
  return startExecution(engine, admission.record);
}
