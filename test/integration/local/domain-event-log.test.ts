import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/local/http-listen.js';
import { until } from '../../support/wait.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'domain-event-log';

/** Issue 18, friction: local mode shows the domain events it publishes, one structured line each on standard output, as docs/engine.md ("Following the events") says to follow them. */
describe('following the domain events of local mode', () => {
  it('prints one "domain event published" line per published event, with its type, execution, target, phase and event id', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'lockstep-event-log-'));
    // As a user runs it: no log level set (the test runner's WARN is not the user's).
    const { POWERTOOLS_LOG_LEVEL: _testLevel, ...env } = process.env;
    const child = spawn('npm', ['start'], {
      cwd: root,
      detached: true,
      env: { ...env, PORT: String(port), LOCKSTEP_TOKEN: TOKEN, LOCKSTEP_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const api = `http://127.0.0.1:${port}`;
    try {
      await until(
        () => (/Token: +\S+/.test(stdout) ? true : undefined),
        90_000,
        `local mode to start\n${stdout}${stderr}`,
      );
      const created = await fetch(`${api}/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ targetResource: 'events/deployment/app', workflowId: 'noop' }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };

      // What `npm start | jq 'select(.message == "domain event published")'` shows.
      const published = () =>
        stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((line) => line.message === 'domain event published' && line.executionId === id);
      const lines = await until(
        () => (published().length >= 2 ? published() : undefined),
        30_000,
        `two "domain event published" lines for ${id}\n${stdout}`,
      );
      expect(lines.map((line) => [line.detailType, line.phase])).toEqual([
        ['WorkflowExecution Started', 'Running'],
        ['WorkflowExecution Completed', 'Completed'],
      ]);
      for (const line of lines) {
        expect(line).toMatchObject({
          level: 'INFO',
          executionId: id,
          targetResource: 'events/deployment/app',
          eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        });
      }
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      // Clean-up only: wait for the stop, bounded, so a stuck child cannot hold the run.
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
