import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/local/http-listen.js';
import { killGroup, startNpmStart } from '../../support/npm-start.js';
import { until } from '../../support/wait.js';

const TOKEN = 'side-effect-token';
/** Where the test kills local mode, in the order a run passes them: all after the step started, before anything recorded its start. */
const POINTS = ['before-effect', 'after-effect', 'after-step'] as const;
type Point = (typeof POINTS)[number];

/**
 * A workflow whose first step has a side effect (a line naming the execution, fsynced, in
 * `side-effects`), followed by a second step. At the point its parameter POINT names, the
 * first time an execution reaches it, the step writes `halted-<executionId>` and blocks the
 * whole process, its event loop included (Atomics.wait): nothing else local mode would do
 * happens before the test's kill -9. The interpreter calls these Task handlers within the
 * StartExecution call's own turn of the event loop, before the RUNNING status event (which is
 * what records the start) can be delivered and before the admission can answer: each halt is
 * after the step started and before its start was recorded (the execution is `Pending`).
 */
function writeWorkflow(workflows: string): void {
  const folder = join(workflows, 'side-effect');
  mkdirSync(join(folder, 'steps'), { recursive: true });
  writeFileSync(
    join(folder, 'workflow.json'),
    JSON.stringify({
      id: 'side-effect',
      version: '1',
      description: 'Records a side effect, then holds',
      definition: 'definition.asl.json',
      parameters: [
        { name: 'POINT', description: 'Where the test kills local mode', required: true, enum: [...POINTS] },
      ],
      steps: { Effect: { handler: 'steps/effect.mjs' }, Hold: { handler: 'steps/hold.mjs' } },
      policy: { cooldownSeconds: 0 },
    }),
  );
  writeFileSync(
    join(folder, 'definition.asl.json'),
    JSON.stringify({
      StartAt: 'Effect',
      States: {
        Effect: { Type: 'Task', Resource: '${Effect}', ResultPath: '$.effect', Next: 'Hold' },
        Hold: { Type: 'Task', Resource: '${Hold}', ResultPath: '$.hold', End: true },
      },
    }),
  );
  writeFileSync(
    join(folder, 'steps', 'halt.mjs'),
    `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export function haltAt(point, event) {
  if (event.parameters.POINT !== point) return;
  try {
    writeFileSync(join(process.env.SIDE_EFFECT_DIR, 'halted-' + event.lockstep.executionId), point, { flag: 'wx' });
  } catch {
    return; // this execution halted here once already
  }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
`,
  );
  writeFileSync(
    join(folder, 'steps', 'effect.mjs'),
    `import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { haltAt } from './halt.mjs';
export function handler(event) {
  haltAt('before-effect', event);
  const fd = openSync(join(process.env.SIDE_EFFECT_DIR, 'side-effects'), 'a');
  writeSync(fd, event.lockstep.executionId + '\\n');
  fsyncSync(fd);
  closeSync(fd);
  haltAt('after-effect', event);
  return { done: true };
}
`,
  );
  writeFileSync(
    join(folder, 'steps', 'hold.mjs'),
    `import { haltAt } from './halt.mjs';\nexport function handler(event) {\n  haltAt('after-step', event);\n  return { held: true };\n}\n`,
  );
}

/**
 * One local mode on its own data folder, for one kill point. The three points run side by side, so that their start
 * graces (30 s each, which neither the environment nor a workflow's policy can shorten) pass at the same time.
 */
async function crashAt(point: Point, workflows: string, made: string[], started: ChildProcess[]) {
  const temporary = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
  const dataDir = temporary(`lockstep-side-effect-data-${point}-`);
  const effects = temporary(`lockstep-side-effects-${point}-`);
  const port = await freePort();
  const env = {
    PORT: String(port),
    LOCKSTEP_TOKEN: TOKEN,
    LOCKSTEP_DATA_DIR: dataDir,
    LOCKSTEP_WORKFLOWS_DIR: workflows,
    LOCKSTEP_SWEEP_INTERVAL_SECONDS: '1',
    LOCKSTEP_STEPFUNCTIONS_PORT: '0',
    LOCKSTEP_EVENTBRIDGE_PORT: '0',
    SIDE_EFFECT_DIR: effects,
  };
  const api = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const get = async (path: string) => {
    const response = await fetch(`${api}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sideEffectsOf = (executionId: string) => {
    const file = join(effects, 'side-effects');
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line === executionId).length
      : 0;
  };
  const halted = () => readdirSync(effects).filter((file) => file.startsWith('halted-'));

  let local = startNpmStart(env);
  started.push(local.child);
  await local.ready();
  // A run that completed before the crash: after the restart its steps cannot be known.
  const completed = await fetch(`${api}/executions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ targetResource: 'crash/deployment/noop', workflowId: 'noop' }),
  });
  const completedId = ((await completed.json()) as { id: string }).id;
  await until(
    async () => ((await get(`/executions/${completedId}`)).body.phase === 'Completed' ? true : undefined),
    30_000,
    `the noop run to complete (${point})`,
  );

  let answered = false;
  fetch(`${api}/executions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      targetResource: `crash/deployment/${point}`,
      workflowId: 'side-effect',
      parameters: { POINT: point },
    }),
  }).then(
    () => (answered = true),
    () => undefined,
  );
  const file = await until(() => halted()[0], 30_000, `the step to halt ${point}`);
  const executionId = file.slice('halted-'.length);
  expect(readFileSync(join(effects, file), 'utf8')).toBe(point);
  killGroup(local.child, 'SIGKILL');
  // The step held the process inside the start: the admission never answered.
  expect(answered, point).toBe(false);
  await until(
    () => (local.child.exitCode !== null || local.child.signalCode !== null ? true : undefined),
    30_000,
    `the killed local mode to exit (${point})`,
  );

  local = startNpmStart(env);
  started.push(local.child);
  await local.ready();
  const settled = await until(
    async () => {
      const { body } = await get(`/executions/${executionId}`);
      return body.phase === 'Failed' || body.phase === 'Completed' ? body : undefined;
    },
    90_000,
    `the execution halted ${point} to end after the restart`,
    250,
  );
  console.log(`crash at ${point}: ${executionId} ${settled.phase} ${JSON.stringify(settled.failureDetails)}`);
  expect(sideEffectsOf(executionId), `side effects of the execution halted ${point}`).toBe(
    point === 'before-effect' ? 0 : 1,
  );
  expect(settled, point).toMatchObject({
    phase: 'Failed',
    failureDetails: {
      reason: 'Unknown',
      wasExecutionFailure: true,
      message: expect.stringMatching(/local mode restarted while it ran/),
    },
  });
  // The step may have had its effect: the target is blocked until a person has looked.
  const target = await get(`/targets/${encodeURIComponent(`crash/deployment/${point}`)}`);
  expect(target.body, point).toMatchObject({ state: 'Blocked', blockReason: 'PreviousExecutionFailed' });
  // What ran before the restart cannot be read back: the steps route says so instead of an empty list.
  const steps = await get(`/executions/${executionId}/steps`);
  expect(steps, point).toMatchObject({
    status: 409,
    body: { error: { code: 'Conflict', message: expect.stringMatching(/local mode restarted/) } },
  });

  /** After the last sweeps: the side effects still counted once at most, and the completed run's steps still unknown. */
  const checkAfterSweeps = async () => {
    expect(sideEffectsOf(executionId), `side effects of the execution halted ${point}`).toBe(
      point === 'before-effect' ? 0 : 1,
    );
    const completedSteps = await get(`/executions/${completedId}/steps`);
    expect(completedSteps, point).toMatchObject({
      status: 409,
      body: { error: { code: 'Conflict', message: expect.stringMatching(/local mode restarted/) } },
    });
  };
  return { local, checkAfterSweeps };
}

describe('a step with a side effect, local mode killed (kill -9) after the step started and before its start was recorded', () => {
  const workflows = mkdtempSync(join(tmpdir(), 'lockstep-side-effect-workflows-'));
  const made = [workflows];
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const child of started) killGroup(child, 'SIGKILL');
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('restarted on the same data folder, runs the side effect at most once per execution, and records the run Failed as lost in the restart', async () => {
    writeWorkflow(workflows);
    const crashes = await Promise.all(POINTS.map((point) => crashAt(point, workflows, made, started)));

    // A few more sweeps (interval 1 s): nothing starts any of them again. The wait only gives a re-run the chance to
    // happen; a slow machine sweeping fewer times can make the check weaker, never make it fail wrongly.
    for (let sweeps = 0; sweeps < 3; sweeps++) await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const { checkAfterSweeps } of crashes) await checkAfterSweeps();

    for (const { local } of crashes) killGroup(local.child, 'SIGTERM');
    await Promise.all(
      crashes.map(({ local }) =>
        until(
          () => (local.child.exitCode !== null || local.child.signalCode !== null ? true : undefined),
          30_000,
          'local mode to stop',
        ).catch(() => undefined),
      ),
    );
  }, 420_000);
});
