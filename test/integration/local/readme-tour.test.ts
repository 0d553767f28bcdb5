import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { until } from '../../support/wait.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const tour = /^## A five-minute tour\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';

/** The README's tour shows this command; the test runs it as written (its arguments split as a shell would). */
function shown(command: string): string[] {
  expect(tour, `the tour shows \`${command}\``).toContain(command);
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map(([, quoted, word]) => quoted ?? word!).slice(1);
}

/**
 * The README's five-minute tour, step by step against local mode started as the tour starts it:
 * each command it shows gives the outcome it says (phase, skip reason, exit code), so the front
 * door never promises what the engine does not do.
 */
describe("the README's five-minute tour", () => {
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let api: string;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    const start = /^((?:[A-Z_]+=\S+ )+)npm start$/m.exec(tour);
    expect(start, 'the start command').not.toBeNull();
    for (const [, name, value] of start![1]!.matchAll(/([A-Z_]+)=(\S+)/g)) env[name!] = value!;
    child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        // The tour's one-minute cooldown is for a person; here no step can outlive it on a slow machine.
        LOCKSTEP_COOLDOWN_SECONDS: '3600',
        PORT: '0',
        DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
        LOCKSTEP_TABLE_NAME: `lockstep-tour-${randomUUID()}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await until(
      () => (/^Token: +\S+/m.test(stdout) ? true : undefined),
      60_000,
      `the endpoint lines\n${stdout}\n${stderr}`,
    );
    api = /^API: +(\S+)$/m.exec(stdout)![1]!;
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  /** `lockstep …` as the tour runs it: the token it exported, the API local mode printed. */
  const lockstep = (command: string) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'lib/cli/main.ts', ...shown(command)],
        { cwd: root, env: { ...process.env, LOCKSTEP_TOKEN: env.LOCKSTEP_TOKEN, LOCKSTEP_API_URL: api } },
        (error, out, err) => resolve({ code: error ? Number(error.code) : 0, out: `${out}${err}` }),
      );
    });

  it('starts with the token it sets, and the UI address carries it', () => {
    expect(env).toMatchObject({ LOCKSTEP_TOKEN: expect.any(String), LOCKSTEP_COOLDOWN_SECONDS: expect.any(String) });
    expect(stdout).toMatch(new RegExp(`^UI: +http://127\\.0\\.0\\.1:\\d+/ui/#token=${env.LOCKSTEP_TOKEN}$`, 'm'));
  });

  it('runs, skips, blocks and clears as it says', async () => {
    // 2. The curl request: admitted, Pending.
    const body = /\$API\/executions \\\n\s+-d '([^']+)'/.exec(tour);
    expect(body, 'the curl request').not.toBeNull();
    const created = await fetch(`${api}/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.LOCKSTEP_TOKEN}`, 'content-type': 'application/json' },
      body: body![1]!,
    });
    expect(created.status).toBe(201);
    const { id, phase } = (await created.json()) as { id: string; phase: string };
    expect(phase).toBe('Pending');

    // 4. Skipped while the run holds the target, then in its cooldown.
    const busy = await lockstep('lockstep run noop shop/deployment/checkout');
    expect(busy).toMatchObject({ code: 3, out: expect.stringContaining('Skipped (ResourceBusy)') });
    await until(
      async () => {
        const execution = (await (
          await fetch(`${api}/executions/${id}`, { headers: { authorization: `Bearer ${env.LOCKSTEP_TOKEN}` } })
        ).json()) as { phase: string };
        return execution.phase === 'Completed' ? true : undefined;
      },
      120_000,
      'the tour run to complete',
      500,
    );
    const cooling = await lockstep('lockstep run noop shop/deployment/checkout');
    expect(cooling).toMatchObject({ code: 3, out: expect.stringContaining('Skipped (RecentlyRemediated)') });
    expect((await lockstep('lockstep target shop/deployment/checkout')).out).toMatch(/^State: +CoolingDown$/m);

    // 5. A failure blocks the target.
    const failed = await lockstep('lockstep run fail shop/deployment/cart --wait');
    expect(failed).toMatchObject({ code: 2, out: expect.stringContaining('Failed (TaskFailed)') });
    const blocked = await lockstep('lockstep target shop/deployment/cart');
    expect(blocked.out).toMatch(/^State: +Blocked$/m);
    expect(blocked.out).toMatch(/^Block reason: +PreviousExecutionFailed$/m);
    const refused = await lockstep('lockstep run noop shop/deployment/cart');
    expect(refused).toMatchObject({ code: 3, out: expect.stringContaining('Skipped (PreviousExecutionFailed)') });

    // 6. Cleared by the identity of the credentials (whoami says which): no longer blocked, and the cooldown still runs.
    const whoami = await lockstep('lockstep whoami');
    expect(whoami.out).toMatch(/^Identity: +token:local-admin$/m);
    expect(whoami.out).toMatch(/^Role: +admin$/m);
    const cleared = await lockstep('lockstep clear shop/deployment/cart --reason "tour: nothing to fix"');
    expect(cleared.code).toBe(0);
    expect(cleared.out).toMatch(/^State: +CoolingDown$/m);
    expect(cleared.out).toMatch(/^Clearances: +\S+ by token:local-admin: tour: nothing to fix$/m);
    const stillCooling = await lockstep('lockstep run noop shop/deployment/cart');
    expect(stillCooling).toMatchObject({ code: 3, out: expect.stringContaining('Skipped (RecentlyRemediated)') });
  }, 300_000);
});
