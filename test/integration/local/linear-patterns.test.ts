import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../lib/local/http-listen.js';
import { until } from '../../support/wait.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'pattern-token';
/** Far above what a linear-time match of 16 KiB takes, far below what a backtracking engine takes on these patterns (minutes to forever). */
const BOUND_MS = 5_000;

/** Patterns that backtrack exponentially on a long run of matching characters followed by one that fails. */
const CATASTROPHIC = { ALTERNATION: '^(a|aa)+$', WORDS: '^(\\w+\\s?)*$', NESTED: '^(a+)+$' };
const VALUE = 'a'.repeat(16_383) + '!';

function workflowsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-patterns-'));
  const files: Record<string, unknown> = {
    'catastrophic/workflow.json': {
      id: 'catastrophic-patterns',
      version: '1',
      description: 'Declares patterns a backtracking engine takes forever on',
      definition: 'definition.asl.json',
      targetPattern: '^(a|aa)+/deployment/[a-z]+$',
      parameters: Object.entries(CATASTROPHIC).map(([name, pattern]) => ({ name, description: 'x', pattern })),
    },
    'catastrophic/definition.asl.json': { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } },
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(content));
  }
  return dir;
}

describe('patterns written by users run in linear time (local mode as a process)', () => {
  const dir = workflowsFolder();
  let child: ChildProcess;
  let api: string;
  beforeAll(async () => {
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      LOCKSTEP_TOKEN: TOKEN,
      LOCKSTEP_WORKFLOWS_DIR: dir,
      LOCKSTEP_STEPFUNCTIONS_PORT: '0',
      LOCKSTEP_EVENTBRIDGE_PORT: '0',
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      LOCKSTEP_TABLE_NAME: `lockstep-test-${randomUUID()}`,
    };
    // Its own process: a blocked event loop there must not be the test's own.
    child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await until(
      () => (/Token: +\S+/.test(output) ? true : undefined),
      90_000,
      'local mode to print its endpoints',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
  }, 120_000);
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: unknown) =>
    fetch(`${api}/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(BOUND_MS),
    });
  const health = () => fetch(`${api}/health`, { signal: AbortSignal.timeout(BOUND_MS) });

  it.each(Object.keys(CATASTROPHIC))(
    'answers a 16 KiB value against the %s pattern within the bound, and /health answers meanwhile',
    async (name) => {
      const request = post({
        targetResource: 'aaaa/deployment/app',
        workflowId: 'catastrophic-patterns',
        parameters: { [name]: VALUE },
      });
      const [answer, healthy] = await Promise.all([request, health()]);

      expect(healthy.status).toBe(200);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { details: string[] } }).error.details).toEqual([
        expect.stringMatching(new RegExp(`^body\\.parameters\\.${name}: must match`)),
      ]);
    },
  );

  it('answers a 1 KiB target against a catastrophic targetPattern within the bound, and /health answers meanwhile', async () => {
    const request = post({
      targetResource: `${'a'.repeat(1000)}!/deployment/app`,
      workflowId: 'catastrophic-patterns',
    });
    const [answer, healthy] = await Promise.all([request, health()]);

    expect(healthy.status).toBe(200);
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { details: string[] } }).error.details).toEqual([
      expect.stringMatching(/^body\.targetResource: must match/),
    ]);
  });
});
