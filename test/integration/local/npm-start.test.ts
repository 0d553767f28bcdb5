import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/local/http-listen.js';
import { until } from '../../support/wait.js';
import { describeProcesses, processTree, waitUntilGone } from './signals-npm-start.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'smoke-token';

/** Processes still alive in npm's process group (npm, node; the DynamoDB Local relay and Java have a group of their own). */
function groupMembers(pgid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .map(Number)
      .filter(Boolean);
  } catch {
    return []; // ps exits 1 when the group is empty
  }
}

describe('npm start, as a user runs it', () => {
  it('comes up, runs noop to Completed over HTTP, and leaves no process behind after SIGTERM', async () => {
    const port = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: root,
      detached: true,
      env: { ...process.env, PORT: String(port), LOCKSTEP_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // 'close' comes once every process holding the pipes (npm's children too) has let go: all output is in.
    const drained = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const api = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    let javaPid = Number.NaN;
    let tree: number[] = [];
    try {
      // Ready when it has printed its endpoints (the API answers a moment before that).
      await until(() => (/Token: +\S+/.test(output) ? true : undefined), 90_000, `the endpoint lines\n${output}`);
      javaPid = Number(/DynamoDB Local, pid (\d+)/.exec(output)?.[1]);
      expect((await fetch(`${api}/health`)).status).toBe(200);
      expect(output).toMatch(/API: +http:\/\/127\.0\.0\.1:\d+/);
      expect(output).toMatch(/DynamoDB: +http:\/\/127\.0\.0\.1:\d+/);
      expect(output).toMatch(/Step Functions: +http/);
      expect(output).toMatch(/EventBridge: +http/);
      expect(output).toContain(`Token:          ${TOKEN}`);
      expect(javaPid, output).toBeGreaterThan(0);
      tree = processTree(child.pid!);

      const created = await fetch(`${api}/executions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ targetResource: 'smoke/deployment/app', workflowId: 'noop' }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const done = await until(
        async () => {
          const execution = (await (await fetch(`${api}/executions/${id}`, { headers: auth })).json()) as {
            phase: string;
          };
          return execution.phase === 'Completed' ? execution : undefined;
        },
        20_000,
        'Completed',
      );
      expect(done).toMatchObject({ phase: 'Completed', completionTime: expect.any(String) });
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await until(
        () => (groupMembers(child.pid!).length === 0 ? true : undefined),
        20_000,
        'every process of npm start to exit',
      ).catch(() => undefined);
      await waitUntilGone(tree, 20_000);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    expect(groupMembers(child.pid!), output).toEqual([]);
    expect(await waitUntilGone(tree, 0), describeProcesses(tree)).toEqual([]);
    expect(() => process.kill(javaPid, 0)).toThrow();
    expect(output).toContain('lockstep: stopped');
  });
});
