import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';
import { until } from '../../support/wait.js';
import { errorText, json, lockstep } from './cli-process.js';

/** The execution commands as a user runs them, against local mode in this process, compared with the API's own answers. */
describe('lockstep run, get, events, wait, cancel, ls', () => {
  let mode: TestLocalMode;
  let env: Record<string, string>;
  const target = (label: string) => `cli-${randomUUID().slice(0, 8)}/deployment/${label}`;
  const startedAt = new Date(Math.floor(systemClock.now().getTime() / 1000) * 1000 - 1000)
    .toISOString()
    .replace('.000Z', 'Z');

  beforeAll(async () => {
    // No cooldown: a target takes its next run as soon as the last one ended.
    mode = await startTestLocalMode({ cooldownSeconds: 0 }, { realClock: systemClock });
    env = { LOCKSTEP_API_URL: mode.local.urls.api, LOCKSTEP_TOKEN: TEST_TOKEN };
  });
  afterAll(() => mode?.local.stop());

  const ended = (id: string) =>
    until(
      async () => {
        const { body } = await mode.call('GET', `/executions/${id}`);
        return ['Completed', 'Failed', 'Skipped'].includes(body.phase) ? body : undefined;
      },
      20_000,
      `execution ${id} to end`,
    );

  it('run: requests an execution with its parameters, version, correlation id and timeout, prints it (json: the API object) and exits 0', async () => {
    const t = target('run');
    const result = await lockstep(
      [
        'run',
        'wait',
        t,
        '-p',
        'SECONDS=0',
        '--version',
        '1',
        '--correlation-id',
        'rr-1',
        '--timeout',
        '60',
        '-o',
        'json',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const printed = json(result);
    expect(printed).toMatchObject({
      targetResource: t,
      workflowId: 'wait',
      workflowVersion: '1',
      parameters: { SECONDS: '0' },
      correlationId: 'rr-1',
      timeoutSeconds: 60,
      requestedBy: 'token:local-admin',
      source: 'api',
    });
    expect(['Pending', 'Running']).toContain(printed.phase);
    // The object the API keeps, but for what the run has changed since.
    const changing = ['phase', 'startTime', 'executionRef', 'completionTime', 'durationSeconds'];
    expect(without(printed, changing)).toEqual(without(await ended(printed.id), changing));

    const table = await lockstep(['run', 'noop', target('run-table')], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ID: +[0-9a-f-]{36}\n/);
    expect(table.stdout).toMatch(/^Workflow: +noop@1$/m);
    expect(table.stdout).toMatch(/^Phase: +(Pending|Running|Completed)$/m);
  });

  it('run --wait: follows the run, each phase change with its elapsed time on standard error, and exits 0 on Completed', async () => {
    const result = await lockstep(['run', 'wait', target('wait'), '-p', 'SECONDS=1', '--wait'], env);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^execution [0-9a-f-]{36}: wait@1 on cli-.*\/deployment\/wait$/);
    // The answer is Pending (the admission only starts the run); its start is recorded a moment later.
    expect(lines.slice(1).map((line) => line.trim().split(/ {2}/)[1])).toEqual(['Pending', 'Running', 'Completed']);
    expect(lines.at(-1)).toMatch(/^ +\d+\.\d+s {2}Completed$/);
    expect(Number(/(\d+\.\d)s/.exec(lines.at(-1)!)![1])).toBeGreaterThanOrEqual(0.9);
    expect(result.stdout).toMatch(/^Phase: +Completed$/m);
  });

  it('run --wait exits 2 when the execution ends Failed (the built-in fail workflow), printing the failure; -o json prints the final execution', async () => {
    const result = await lockstep(
      ['run', 'fail', target('fail'), '-p', 'ERROR=States.Timeout', '--wait', '-o', 'json'],
      env,
    );
    expect(result.code, result.stderr).toBe(2);
    const printed = json(result);
    expect(printed).toMatchObject({ phase: 'Failed', failureDetails: { reason: 'DeadlineExceeded' } });
    expect(printed).toEqual((await mode.call('GET', `/executions/${printed.id}`)).body);
    expect(result.stderr).toMatch(/^ +\d+\.\d+s {2}Failed \(DeadlineExceeded\): /m);
  });

  it('run exits 3 when refused: the Skipped execution on standard output (json: the 409 body as the API sent it), the reason on standard error', async () => {
    const t = target('busy');
    const first = json(await lockstep(['run', 'wait', t, '-p', 'SECONDS=60', '-o', 'json'], env));
    const refused = await lockstep(['run', 'noop', t, '-o', 'json'], env);
    expect(refused.code).toBe(3);
    const body = json(refused);
    expect(body).toMatchObject({
      phase: 'Skipped',
      skipDetails: { reason: 'ResourceBusy', conflictingExecutionId: first.id },
      error: { code: 'ResourceBusy' },
    });
    const { error, ...execution } = body;
    expect(execution).toEqual((await mode.call('GET', `/executions/${body.id}`)).body);
    expect(error).toEqual({ code: 'ResourceBusy', message: execution.skipDetails.message });
    expect(refused.stderr).toBe(`refused: ResourceBusy: ${execution.skipDetails.message}\n`);

    const table = await lockstep(['run', 'noop', t], env);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/^Phase: +Skipped \(ResourceBusy\)$/m);
    expect(table.stdout).toContain(`Held by:      ${first.id}`);

    // wait on a refused execution says so too; cancel ends the holder, and wait on it exits 2 (Failed, Cancelled).
    expect((await lockstep(['wait', body.id], env)).code).toBe(3);
    const cancelled = await lockstep(['cancel', first.id, '-o', 'json'], env);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(json(cancelled)).toMatchObject({ id: first.id, phase: 'Failed', failureDetails: { reason: 'Cancelled' } });
    expect(json(cancelled)).toEqual((await mode.call('GET', `/executions/${first.id}`)).body);
    const waited = await lockstep(['wait', first.id], env);
    expect(waited.code).toBe(2);
    expect(waited.stderr).toMatch(/Failed \(Cancelled\)/);
    expect(waited.stdout).toMatch(/^Phase: +Failed \(Cancelled\)$/m);

    const again = await lockstep(['cancel', first.id], env);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    const api = await mode.call('POST', `/executions/${first.id}/cancel`);
    expect(api.status).toBe(409);
    expect(again.stderr).toBe(errorText(api.body));
  });

  it('run with an idempotency key returns the same execution every time', async () => {
    const t = target('idempotent');
    const args = ['run', 'noop', t, '--idempotency-key', `key-${t}`, '-o', 'json'];
    const first = json(await lockstep(args, env));
    await ended(first.id);
    const second = await lockstep(args, env);
    expect(second.code, second.stderr).toBe(0);
    expect(json(second).id).toBe(first.id);
  });

  it('get, events and wait print what the API returns for the same call (json), readable tables otherwise', async () => {
    const t = target('get');
    const { id } = json(await lockstep(['run', 'noop', t, '-o', 'json'], env));
    await ended(id);
    const [get, getTable, events, eventsTable, wait] = await Promise.all([
      lockstep(['get', id, '-o', 'json'], env),
      lockstep(['get', id], env),
      lockstep(['-o', 'json', 'events', id], env),
      lockstep(['events', id], env),
      lockstep(['wait', id, '-o', 'json'], env),
    ]);
    expect(json(get)).toEqual((await mode.call('GET', `/executions/${id}`)).body);
    expect(json(events)).toEqual((await mode.call('GET', `/executions/${id}/events`)).body);
    expect(wait.code).toBe(0);
    expect(json(wait)).toEqual(json(get));
    expect(wait.stderr).toMatch(/^ +0\.\ds {2}Completed$/m);
    expect(getTable.stdout).toMatch(new RegExp(`^Target: +${t}$`, 'm'));
    expect(getTable.stdout).toMatch(/^Created: +\S+Z \((just now|\d+s ago)\)$/m);
    expect(eventsTable.stdout.split('\n')[0]).toMatch(/^SEQ +AT +TYPE +ACTOR +PAYLOAD$/);
    expect(eventsTable.stdout).toMatch(/^1 +\S+ +selection\.completed +token:local-admin +\{"decision":"admitted"/m);
    expect(eventsTable.stdout).toMatch(/^3 +\S+ +workflow\.completed /m);
  });

  it('get --steps prints the steps route as the API answers it: json exactly, a table otherwise', async () => {
    const { id } = json(await lockstep(['run', 'noop', target('steps'), '-o', 'json'], env));
    await ended(id);
    const api = await mode.call('GET', `/executions/${id}/steps`);
    expect(api.status).toBe(200);
    expect(api.body.items.length).toBeGreaterThan(0);
    const [asJson, asTable] = await Promise.all([
      lockstep(['get', id, '--steps', '-o', 'json'], env),
      lockstep(['get', id, '--steps'], env),
    ]);
    expect(json(asJson)).toEqual(api.body);
    expect(asTable.stdout).toMatch(/^STEP +TYPE +STATUS/m);
  });

  it("ls --target: one target's executions newest first, as the API lists them; --limit follows nextToken", async () => {
    const t = target('ls');
    for (let i = 0; i < 3; i += 1) {
      const { id } = json(await lockstep(['run', 'noop', t, '-o', 'json'], env));
      await ended(id);
    }
    const api = await mode.call('GET', `/executions?targetResource=${encodeURIComponent(t)}&limit=20`);
    expect(api.body.items).toHaveLength(3);
    const [all, two, table, completed] = await Promise.all([
      lockstep(['ls', '--target', t, '-o', 'json'], env),
      lockstep(['ls', '--target', t, '--limit', '2', '-o', 'json'], env),
      lockstep(['ls', '--target', t], env),
      lockstep(['ls', '--target', t, '--phase', 'Completed', '-o', 'json'], env),
    ]);
    expect(json(all)).toEqual(api.body);
    expect(json(two).items).toEqual(api.body.items.slice(0, 2));
    expect(json(two).nextToken).toEqual(expect.any(String));
    expect(json(completed)).toEqual(
      (await mode.call('GET', `/executions?targetResource=${encodeURIComponent(t)}&phase=Completed`)).body,
    );
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID +TARGET +WORKFLOW +PHASE +CREATED +DURATION$/);
    expect(rows.slice(1).map((row) => row.split(/ +/)[0])).toEqual(api.body.items.map((e: { id: string }) => e.id));
    expect(rows[1]).toContain(t); // not a terminal: nothing is cut

    // A page of one, then the rest: the pages join without a repeat.
    const paged = json(await lockstep(['ls', '--target', t, '--limit', '3', '-o', 'json'], env));
    expect(paged.items.map((e: { id: string }) => e.id)).toEqual(api.body.items.map((e: { id: string }) => e.id));
  });

  it('ls across targets (the active ones, a time window, one workflow) prints exactly what the listing routes answer', async () => {
    const until = new Date(Math.floor(systemClock.now().getTime() / 1000) * 1000 + 1000)
      .toISOString()
      .replace('.000Z', 'Z');
    const cases: [string[], string][] = [
      [['--phase', 'Running'], 'phase=Running&limit=20'],
      [
        ['--since', startedAt, '--until', until],
        `since=${encodeURIComponent(startedAt)}&until=${encodeURIComponent(until)}&limit=20`,
      ],
      [
        ['--since', startedAt, '--until', until, '--workflow', 'fail', '--phase', 'Failed', '--limit', '5'],
        `phase=Failed&since=${encodeURIComponent(startedAt)}&until=${encodeURIComponent(until)}&workflowId=fail&limit=5`,
      ],
    ];
    for (const [args, query] of cases) {
      const api = await mode.call('GET', `/executions?${query}`);
      expect(api.status, JSON.stringify(api.body)).toBe(200);
      const result = await lockstep(['ls', ...args, '-o', 'json'], env);
      expect(result.code, result.stderr).toBe(0);
      expect(json(result)).toEqual(api.body);
    }
  });
});

function without(object: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}
