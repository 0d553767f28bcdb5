import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { AuditEventType } from '../../lib/domain/audit.js';
import type { ExecutionRecord, ExecutionRequest } from '../../lib/domain/execution.js';
import { executionName } from '../../lib/domain/execution-name.js';
import { DEFAULT_POLICY, type Policy } from '../../lib/domain/policies.js';
import type { FailureReason } from '../../lib/domain/reasons.js';
import type { ExecutionStore, TransitionResult } from '../../lib/ports/index.js';
import type { ManualClock } from './manual-clock.js';

export function request(targetResource: string, overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  return {
    targetResource,
    workflowId: 'noop',
    workflowVersion: '1',
    parameters: {},
    requestedBy: 'test',
    source: 'api',
    ...overrides,
  };
}

export function uniqueTarget(label = 'workload'): string {
  return `test-${randomUUID().slice(0, 8)}/deployment/${label}`;
}

/** Drives executions through the store the way the use cases will, with the test's clock. */
export class Driver {
  constructor(
    readonly store: ExecutionStore,
    readonly clock: ManualClock,
    readonly policy: Policy = DEFAULT_POLICY,
  ) {}

  admit(targetResource: string, overrides: Partial<ExecutionRequest> = {}) {
    return this.store.admit({
      request: request(targetResource, overrides),
      executionId: randomUUID(),
      at: this.clock.now(),
    });
  }

  async admitted(targetResource: string): Promise<ExecutionRecord & { fencingToken: number }> {
    const admission = await this.admit(targetResource);
    if (!admission.admitted)
      throw new Error(`expected an admission, got ${admission.skipDetails?.reason ?? 'an existing execution'}`);
    return admission.record;
  }

  async start(record: ExecutionRecord & { fencingToken: number }): Promise<ExecutionRecord> {
    const name = executionName(record.execution.targetResource, record.fencingToken);
    const result = await this.store.markRunning({
      pending: { execution: record.execution, events: record.events },
      fencingToken: record.fencingToken,
      executionRef: { name, arn: `arn:aws:states:us-east-1:000000000000:execution:noop:${name}` },
      startTime: this.clock.now(),
      actor: 'lockstep',
    });
    expect(result.changed).toBe(true);
    return result.record;
  }

  complete(executionId: string): Promise<TransitionResult> {
    return this.store.finish({
      executionId,
      termination: { phase: 'Completed' },
      at: this.clock.now(),
      actor: 'lockstep',
      policy: this.policy,
    });
  }

  fail(executionId: string, reason: FailureReason, wasExecutionFailure: boolean): Promise<TransitionResult> {
    return this.store.finish({
      executionId,
      termination: { phase: 'Failed', failure: { reason, message: `failed with ${reason}`, wasExecutionFailure } },
      at: this.clock.now(),
      actor: 'lockstep',
      policy: this.policy,
    });
  }

  /** admit → start → complete */
  async runToCompletion(targetResource: string): Promise<ExecutionRecord> {
    const admitted = await this.admitted(targetResource);
    await this.start(admitted);
    return (await this.complete(admitted.execution.id)).record;
  }

  /** A start that failed before anything ran: Pending → Failed, counted for backoff. */
  async failBeforeStart(targetResource: string): Promise<ExecutionRecord> {
    const admitted = await this.admitted(targetResource);
    return (await this.fail(admitted.execution.id, 'ConfigurationError', false)).record;
  }
}

/** The audit trail is complete, numbered 1..n without gaps, in the given order, and about this execution. */
export function expectAuditTrail(record: ExecutionRecord, types: AuditEventType[]): void {
  expect(record.events.map((e) => e.type)).toEqual(types);
  expect(record.events.map((e) => e.seq)).toEqual(types.map((_, i) => i + 1));
  for (const event of record.events) {
    expect(event.executionId).toBe(record.execution.id);
    expect(event.targetResource).toBe(record.execution.targetResource);
    expect(event.correlationId).toBe(record.execution.correlationId);
  }
  const times = record.events.map((e) => Date.parse(e.at));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
}
