import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfnDriver } from '../../../lib/adapters/stepfunctions/sfn-driver.js';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { executionName } from '../../../lib/domain/execution-name.js';
import { workflowInput } from '../../../lib/domain/workflow-input.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { startExecution } from '../../../lib/use-cases/start-execution.js';
import { StateMachineArns } from '../../../lib/workflows/state-machines.js';
import { createTestEngine, sfnClientFor, type TestEngine } from '../../support/engine.js';
import { expectAuditTrail, request, uniqueTarget } from '../../support/lifecycle.js';

describe('starting a workflow', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await createTestEngine();
  });
  afterAll(() => t.close());

  async function admit(workflowId: string, parameters: Record<string, string> = {}) {
    const admission = await t.store.admit({
      request: request(uniqueTarget(), { workflowId, parameters, timeoutSeconds: 3600 }),
      executionId: crypto.randomUUID(),
      at: t.clock.now(),
    });
    if (!admission.admitted) throw new Error('not admitted');
    return admission.record;
  }

  async function runsNamed(name: string) {
    const arn = t.engine.stateMachines.stateMachineArn({ id: 'wait', version: '1' });
    const { executions } = await t.sfnClient.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    return executions!.filter((e) => e.name === name);
  }

  it('does not start a second run when a start is retried after a lost response: same name, same ARN', async () => {
    const pending = await admit('wait', { SECONDS: '1' });

    const first = await startExecution(t.engine, pending);
    const retried = await startExecution(t.engine, pending); // as if the first answer had been lost

    expect(first.kind).toBe('started');
    expect(retried.record.execution.executionRef).toEqual(first.record.execution.executionRef);
    expect(await runsNamed(first.record.execution.executionRef!.name)).toHaveLength(1);
    await t.settle();
    expect((await t.store.getExecution(pending.execution.id))?.execution.phase).toBe('Completed');
  });

  it('recognises its own run when the retry comes after the run has finished (ExecutionAlreadyExists), and completes it', async () => {
    const pending = await admit('noop');
    t.setDelivery(false);
    try {
      // The first start reached Step Functions, but its answer and the start record were lost.
      const name = executionName(pending.execution.targetResource, pending.fencingToken);
      const stateMachineArn = t.engine.stateMachines.stateMachineArn({ id: 'noop', version: '1' });
      await t.engine.driver.start({ stateMachineArn, name, input: workflowInput(pending) });
      await t.sfn.idle();

      const retried = await startExecution(t.engine, pending);

      expect(retried.kind).toBe('started');
      expect(retried.record.execution.phase).toBe('Completed');
      expectAuditTrail(retried.record, [
        AuditEventType.SelectionCompleted,
        AuditEventType.ExecutionStarted,
        AuditEventType.WorkflowCompleted,
      ]);
    } finally {
      t.setDelivery(true);
    }
  });

  it('fails a start the service refuses as a pre-execution failure: ConfigurationError, not blocking, counted for backoff', async () => {
    const broken = {
      ...t.engine,
      stateMachines: new StateMachineArns({
        'lockstep-noop-v1': 'arn:aws:states:us-east-1:000000000000:stateMachine:deleted',
      }),
    };
    const target = uniqueTarget();

    const result = await requestExecution(broken, {
      targetResource: target,
      workflowId: 'noop',
      requestedBy: 'test',
      source: 'api',
    });

    expect(result.kind).toBe('failed-to-start');
    expect(result.record.execution).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'ConfigurationError', wasExecutionFailure: false },
    });
    expect(result.record.execution.failureDetails?.message).toContain('StateMachineDoesNotExist');
    expectAuditTrail(result.record, [AuditEventType.SelectionCompleted, AuditEventType.WorkflowFailed]);
    const state = await t.store.getTarget(target);
    expect(state).toMatchObject({ consecutiveFailures: 1 });
    expect(state.blockReason).toBeUndefined();
    expect(state.nextAllowedAt).toBe(new Date(t.clock.now().getTime() + 60_000).toISOString());
  });

  it('keeps the execution Pending when the start cannot reach Step Functions, for the sweeper to finish', async () => {
    const unreachable = { ...t.engine, driver: new SfnDriver(sfnClientFor('http://127.0.0.1:9')) };
    const target = uniqueTarget();

    const result = await requestExecution(unreachable, {
      targetResource: target,
      workflowId: 'noop',
      requestedBy: 'test',
      source: 'api',
    });

    expect(result.kind).toBe('pending');
    expect((await t.store.getExecution(result.record.execution.id))?.execution.phase).toBe('Pending');
    expect((await t.store.getTarget(target)).holder?.execution.id).toBe(result.record.execution.id);
  });
});
