import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../lib/domain/errors.js';
import { cancelExecution } from '../../../lib/use-cases/cancel-execution.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { uniqueTarget } from '../../support/lifecycle.js';

/** What Step Functions says happened, as the record must say it. */
const PHASE_OF_STATUS: Record<string, string> = { SUCCEEDED: 'Completed', ABORTED: 'Failed' };

describe('cancel racing the run', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await createTestEngine();
  });
  afterAll(() => t.close());

  const cancel = (executionId: string, requestedBy: string) =>
    cancelExecution(t.engine, { executionId, requestedBy }).then(
      (result) => result.cancelled,
      (error: unknown) => {
        if (error instanceof ConflictError) return false;
        throw error;
      },
    );

  it('records what Step Functions says happened, and reports a cancel only when it stopped the run (many runs)', async () => {
    // Each run is cancelled 0.4 to 1.54 s after it started, around the moment its one-second wait ends (in the report, 2 of 40 lied):
    // wide enough that both sides of the race happen on a loaded machine too.
    const raced = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const run = await requestExecution(t.engine, {
          targetResource: uniqueTarget(),
          workflowId: 'wait',
          parameters: { SECONDS: '1' },
          requestedBy: 'test',
          source: 'api',
        });
        await new Promise((resolve) => setTimeout(resolve, 400 + (i % 20) * 60));
        return { run, cancelled: await cancel(run.record.execution.id, `racer-${i}`) };
      }),
    );
    const runs = raced.map((r) => r.run);
    const cancelled = raced.map((r) => r.cancelled);
    await t.settle();

    const outcomes = { stopped: 0, finishedFirst: 0 };
    for (const [i, run] of runs.entries()) {
      const stored = (await t.store.getExecution(run.record.execution.id))!.execution;
      const truth = await t.engine.driver.describe(t.arnOf(run.record.execution.id));
      expect(stored.phase, `run ${i}`).toBe(PHASE_OF_STATUS[truth!.status]);
      if (truth!.status === 'ABORTED') expect(stored.failureDetails?.reason).toBe('Cancelled');
      expect(cancelled[i], `run ${i}: cancel answered ${cancelled[i]}, Step Functions says ${truth!.status}`).toBe(
        truth!.status === 'ABORTED',
      );
      outcomes[cancelled[i] ? 'stopped' : 'finishedFirst']++;
      expect((await t.store.getTarget(stored.targetResource)).holder).toBeUndefined();
    }
    console.log(`cancel race: ${JSON.stringify(outcomes)}`);
    // Both sides of the race happened, or the test proved nothing.
    expect(outcomes.stopped).toBeGreaterThan(0);
    expect(outcomes.finishedFirst).toBeGreaterThan(0);
  });

  it('lets exactly one of 30 concurrent cancels of one running execution succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const run = await requestExecution(t.engine, {
        targetResource: uniqueTarget(),
        workflowId: 'wait',
        parameters: { SECONDS: '600' },
        requestedBy: 'test',
        source: 'api',
      });

      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => cancel(run.record.execution.id, `operator-${i}`)),
      );
      await t.settle();

      expect(answers.filter(Boolean)).toHaveLength(1);
      const stored = (await t.store.getExecution(run.record.execution.id))!;
      expect(stored.execution).toMatchObject({ phase: 'Failed', failureDetails: { reason: 'Cancelled' } });
      // The one cancel that answered yes is the one recorded.
      expect(stored.execution.failureDetails?.message).toMatch(
        new RegExp(`^cancelled by operator-${answers.indexOf(true)} \\(`),
      );
    }
  });

  it('lets exactly one of 30 concurrent cancels of a Pending execution succeed', async () => {
    const admission = await t.store.admit({
      request: {
        targetResource: uniqueTarget(),
        workflowId: 'wait',
        workflowVersion: '1',
        parameters: { SECONDS: '600' },
        requestedBy: 'test',
        source: 'api',
      },
      executionId: crypto.randomUUID(),
      at: t.clock.now(),
    });
    if (!admission.admitted) throw new Error('not admitted');

    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => cancel(admission.record.execution.id, `operator-${i}`)),
    );

    expect(answers.filter(Boolean)).toHaveLength(1);
    expect((await t.store.getExecution(admission.record.execution.id))?.execution).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'Cancelled' },
    });
  });
});
