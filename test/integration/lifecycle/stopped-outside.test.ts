import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { sweep } from '../../../lib/use-cases/sweep.js';
import { createTestEngine, TEST_ENDPOINT_CREDENTIALS, type TestEngine } from '../../support/engine.js';
import { uniqueTarget } from '../../support/lifecycle.js';

describe('lock stolen: a run stopped or deleted outside the engine', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await createTestEngine();
  });
  afterAll(() => t.close());

  async function startLongWait(target: string) {
    const result = await requestExecution(t.engine, {
      targetResource: target,
      workflowId: 'wait',
      parameters: { SECONDS: '600' },
      requestedBy: 'test',
      source: 'api',
    });
    const running = await t.recorded(result.record.execution.id);
    expect(running.execution.phase).toBe('Running');
    return running;
  }

  it('ends Failed/Unknown, says so, releases the lock and does not block, when an operator stops the run with their own SDK client', async () => {
    const target = uniqueTarget();
    const running = await startLongWait(target);
    const operator = new SFNClient({
      endpoint: t.endpoint.url,
      region: 'eu-west-1',
      credentials: TEST_ENDPOINT_CREDENTIALS,
    });

    await operator.send(
      new StopExecutionCommand({
        executionArn: running.execution.executionRef!.arn!,
        cause: 'stopped from the console',
      }),
    );
    await t.settle();

    const record = await t.store.getExecution(running.execution.id);
    expect(record?.execution).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'Unknown', wasExecutionFailure: false },
    });
    expect(record?.execution.failureDetails?.message).toMatch(/stopped outside the engine.*stopped from the console/);
    expect(record?.execution.completionTime).toBeDefined();
    const state = await t.store.getTarget(target);
    expect(state.holder).toBeUndefined();
    expect(state.blockReason).toBeUndefined();
    operator.destroy();
  });

  it('ends Failed/Unknown through the sweeper when the run no longer exists, and releases the lock', async () => {
    const target = uniqueTarget();
    const running = await startLongWait(target);
    t.sfn.forgetExecution(running.execution.executionRef!.arn!);

    const report = await sweep(t.engine);

    expect(report.repairs).toContainEqual({
      executionId: running.execution.id,
      targetResource: target,
      repair: 'vanished',
    });
    const record = await t.store.getExecution(running.execution.id);
    expect(record?.execution).toMatchObject({ phase: 'Failed', failureDetails: { reason: 'Unknown' } });
    // Deleted, expired, or lost with a restarted local engine: the engine cannot tell which, so it does not claim one.
    expect(record?.execution.failureDetails?.message).toMatch(/no longer exists/);
    expect(record?.execution.failureDetails?.message).not.toMatch(/deleted outside the engine/);
    expect((await t.store.getTarget(target)).holder).toBeUndefined();
  });
});
