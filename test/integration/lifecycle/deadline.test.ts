import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';
import { until } from '../../support/wait.js';

describe('timeoutSeconds is enforced when it passes, not at the next sweep', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    // Real time, and a sweep far away: only the deadline itself can stop the run.
    t = await startTestLocalMode({}, { realClock: systemClock, sweepIntervalSeconds: 60 });
  });
  afterAll(() => t.local.stop());

  it('stops a run with timeoutSeconds 2 within seconds: Failed/DeadlineExceeded, and the run is aborted', async () => {
    const created = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'wait', parameters: { SECONDS: '600' }, timeoutSeconds: 2 },
    });
    expect(created.status).toBe(201);
    const startedAt = performance.now();

    const ended = await until(
      async () => {
        const { body } = await t.call('GET', `/executions/${created.body.id}`);
        return body.phase === 'Failed' ? body : undefined;
      },
      15_000,
      'the deadline to stop the run',
      200,
    );

    const elapsed = (performance.now() - startedAt) / 1000;
    expect(ended.failureDetails).toMatchObject({ reason: 'DeadlineExceeded', wasExecutionFailure: true });
    expect(elapsed).toBeGreaterThanOrEqual(1.5);
    expect(t.local.stepFunctions.describeExecution(ended.executionRef.arn).status).toBe('ABORTED');
    expect((await t.call('GET', `/targets/${encodeURIComponent(ended.targetResource)}`)).body.state).not.toBe(
      'Running',
    );
  });
});
