import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { UnknownWorkflowError, ValidationError } from '../../../lib/domain/errors.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { expectAuditTrail, uniqueTarget } from '../../support/lifecycle.js';

describe('workflows run on the local Step Functions endpoint', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await createTestEngine();
  });
  afterAll(() => t.close());

  const run = (workflowId: string, parameters: Record<string, string> = {}, targetResource = uniqueTarget()) =>
    requestExecution(t.engine, { targetResource, workflowId, parameters, requestedBy: 'test', source: 'api' });

  it('runs noop to Completed, with the deterministic name and the full audit trail', async () => {
    const target = uniqueTarget();
    const started = await run('noop', {}, target);
    expect(started.kind).toBe('started');

    await t.settle();

    const record = await t.store.getExecution(started.record.execution.id);
    expect(record?.execution).toMatchObject({
      phase: 'Completed',
      executionRef: { name: expect.stringMatching(/^wfe-[0-9a-f]{16}-1$/) },
    });
    expect(record?.execution.completionTime).toBeDefined();
    expectAuditTrail(record!, [
      AuditEventType.SelectionCompleted,
      AuditEventType.ExecutionStarted,
      AuditEventType.WorkflowCompleted,
    ]);
    expect((await t.store.getTarget(target)).holder).toBeUndefined();
  });

  it('shows wait as Running while it waits, then Completed', async () => {
    const started = await run('wait', { SECONDS: '1' });

    expect(started.record.execution.phase).toBe('Pending'); // the answer: the run is started, its start not yet recorded
    expect((await t.recorded(started.record.execution.id)).execution.phase).toBe('Running');

    await t.settle();
    expect((await t.store.getExecution(started.record.execution.id))?.execution.phase).toBe('Completed');
  });

  it('runs the ECS restart example with its simulated step, and says it was simulated', async () => {
    const started = await run('restart-ecs-service', { CLUSTER: 'prod', SERVICE: 'payments', REASON: 'OOM' });
    await t.settle();

    const record = await t.store.getExecution(started.record.execution.id);
    expect(record?.execution.phase).toBe('Completed');
    const description = await t.engine.driver.describe(record!.execution.executionRef!.arn!);
    expect(description?.output).toContain('SIMULATED in local mode');
    expect(description?.output).toContain('service/prod/payments');
  });

  it.each([
    ['TaskFailed', 'TaskFailed'],
    ['MyCustomError', 'TaskFailed'],
    ['States.Timeout', 'DeadlineExceeded'],
    ['States.HeartbeatTimeout', 'DeadlineExceeded'],
    ['AccessDeniedException', 'Forbidden'],
    ['Lambda.TooManyRequestsException', 'ResourceExhausted'],
    ['ThrottlingException', 'ResourceExhausted'],
    ['Runtime.OutOfMemory', 'OOMKilled'],
    ['States.Runtime', 'ConfigurationError'],
    ['CannotPullContainerError', 'ImagePullBackOff'],
  ])(
    'ends fail with ERROR=%s as Failed/%s, naming the failed step, as an execution failure that blocks the target',
    async (error, reason) => {
      const target = uniqueTarget();
      const started = await run('fail', { ERROR: error, CAUSE: 'on purpose' }, target);
      await t.settle();

      const record = await t.store.getExecution(started.record.execution.id);
      expect(record?.execution.phase).toBe('Failed');
      expect(record?.execution.failureDetails).toMatchObject({ reason, failedStep: 'Fail', wasExecutionFailure: true });
      expect(record?.execution.failureDetails?.message).toContain('on purpose');
      expectAuditTrail(record!, [
        AuditEventType.SelectionCompleted,
        AuditEventType.ExecutionStarted,
        AuditEventType.WorkflowFailed,
      ]);
      expect((await t.store.getTarget(target)).blockReason).toBe('PreviousExecutionFailed');
    },
  );

  it('passes the declared parameters, with defaults, and refuses an undeclared one before writing anything', async () => {
    const started = await run('fail', { CAUSE: 'x' });
    expect(started.record.execution.parameters).toEqual({ ERROR: 'TaskFailed', CAUSE: 'x' });
    const description = await t.engine.driver.describe(t.arnOf(started.record.execution.id));
    expect(JSON.parse(description!.input!).parameters).toEqual({ ERROR: 'TaskFailed', CAUSE: 'x' });
    await t.settle();

    const target = uniqueTarget();
    await expect(run('fail', { CAUSE: 'x', UNDECLARED: 'secret' }, target)).rejects.toThrow(ValidationError);
    expect(await t.store.listExecutions({ targetResource: target, limit: 10 })).toEqual({ items: [] });
  });

  it('refuses a missing required parameter or an unknown workflow before writing anything', async () => {
    const target = uniqueTarget();
    await expect(run('restart-ecs-service', { CLUSTER: 'prod' }, target)).rejects.toThrow(ValidationError);
    await expect(run('no-such-workflow', {}, target)).rejects.toThrow(UnknownWorkflowError);
    expect((await t.store.getTarget(target)).fencingToken).toBe(0);
    expect((await t.store.listExecutions({ targetResource: target, limit: 10 })).items).toEqual([]);
  });

  it('reports no listener errors', () => {
    expect(t.listenerErrors).toEqual([]);
  });
});
