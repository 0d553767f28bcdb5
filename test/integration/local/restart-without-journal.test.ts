import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { startLocalMode } from '../../../lib/local/local-mode.js';
import { sweep } from '../../../lib/use-cases/sweep.js';
import { ManualClock } from '../../support/manual-clock.js';
import { until } from '../../support/wait.js';

/** A workflow whose first step appends the execution's id to the file its FILE parameter names, then waits ten minutes. */
function writeWorkflow(workflows: string): void {
  const folder = join(workflows, 'side-effect');
  mkdirSync(join(folder, 'steps'), { recursive: true });
  writeFileSync(
    join(folder, 'workflow.json'),
    JSON.stringify({
      id: 'side-effect',
      version: '1',
      description: 'Records a side effect, then waits',
      definition: 'definition.asl.json',
      parameters: [{ name: 'FILE', description: 'Where the side effect is written', required: true }],
      steps: { Effect: { handler: 'steps/effect.mjs' } },
    }),
  );
  writeFileSync(
    join(folder, 'definition.asl.json'),
    JSON.stringify({
      StartAt: 'Effect',
      States: {
        Effect: { Type: 'Task', Resource: '${Effect}', ResultPath: '$.effect', Next: 'Hold' },
        Hold: { Type: 'Wait', Seconds: 600, End: true },
      },
    }),
  );
  writeFileSync(
    join(folder, 'steps', 'effect.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport function handler(event) {\n  appendFileSync(event.parameters.FILE, event.lockstep.executionId + '\\n');\n  return { done: true };\n}\n`,
  );
}

/**
 * DYNAMODB_ENDPOINT without LOCKSTEP_DATA_DIR: the tables outlive local mode, the local Step
 * Functions endpoint's runs do not (no journal). After a restart, an execution from before it
 * must never be run again, nor be taken for a run stopped outside the engine.
 */
describe('a restart on a DynamoDB that outlives local mode, without a data folder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'lockstep-restart-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const workflowsDir = join(scratch, 'workflows');
  writeWorkflow(workflowsDir);
  const config = {
    port: 0,
    stepFunctionsPort: 0,
    eventBridgePort: 0,
    token: 't',
    policy: DEFAULT_POLICY,
    sweepIntervalSeconds: 3600,
    tableName: `lockstep-test-${randomUUID()}`,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    workflowsDir,
  };
  const headers = { authorization: 'Bearer t', 'content-type': 'application/json' };
  const effects = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

  it('ends a Pending and a Running execution from before the restart as lost in it: never run again, Failed/Unknown, the target blocked', async () => {
    const clock = new ManualClock();
    const pendingFile = join(scratch, 'pending-effects');
    const runningFile = join(scratch, 'running-effects');
    const pendingTarget = 'restart/deployment/pending';
    const runningTarget = 'restart/deployment/running';

    const first = await startLocalMode(config, { clock });
    let pendingId: string;
    let runningId: string;
    try {
      // Running: its step ran, its start was recorded, then local mode stopped with the run in flight.
      const created = await fetch(`${first.urls.api}/executions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          targetResource: runningTarget,
          workflowId: 'side-effect',
          parameters: { FILE: runningFile },
        }),
      });
      runningId = ((await created.json()) as { id: string }).id;
      await until(
        async () =>
          (await (await fetch(`${first.urls.api}/executions/${runningId}`, { headers })).json()).phase === 'Running'
            ? true
            : undefined,
        10_000,
        'the start to be recorded',
      );
      // Pending: the lock was taken and local mode stopped before the start was recorded (whether the run started cannot be told).
      const admission = await first.runtime.engine.store.admit({
        request: {
          targetResource: pendingTarget,
          workflowId: 'side-effect',
          workflowVersion: '1',
          parameters: { FILE: pendingFile },
          requestedBy: 'test',
          source: 'api',
        },
        executionId: randomUUID(),
        at: clock.now(),
      });
      if (!admission.admitted) throw new Error('not admitted');
      pendingId = admission.record.execution.id;
    } finally {
      await first.stop();
    }
    expect(effects(runningFile)).toEqual([runningId]);

    clock.advanceSeconds(DEFAULT_POLICY.startGraceSeconds + 1);
    const second = await startLocalMode(config, { clock });
    try {
      const report = await sweep(second.runtime.engine);
      await second.bus.idle();

      expect(report.errors).toEqual([]);
      expect(report.repairs.map((r) => r.repair)).toEqual(['lost-in-restart', 'lost-in-restart']);
      expect(effects(pendingFile)).toEqual([]);
      expect(effects(runningFile)).toEqual([runningId]);
      for (const [id, target] of [
        [pendingId, pendingTarget],
        [runningId, runningTarget],
      ]) {
        const execution = await (await fetch(`${second.urls.api}/executions/${id}`, { headers })).json();
        expect(execution, target).toMatchObject({
          phase: 'Failed',
          failureDetails: {
            reason: 'Unknown',
            wasExecutionFailure: true,
            message: expect.stringMatching(
              /local mode restarted while it ran: how it ended is unknown, and its steps may have run/,
            ),
          },
        });
        const state = await (
          await fetch(`${second.urls.api}/targets/${encodeURIComponent(target!)}`, { headers })
        ).json();
        expect(state, target).toMatchObject({ state: 'Blocked', blockReason: 'PreviousExecutionFailed' });
      }
      // Settled: the next sweep finds nothing to repair, and nothing ran.
      clock.advanceSeconds(DEFAULT_POLICY.startGraceSeconds + 1);
      expect((await sweep(second.runtime.engine)).repairs).toEqual([]);
      expect(effects(pendingFile)).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
