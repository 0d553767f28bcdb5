import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';
import { errorText, json, lockstep } from './cli-process.js';

/** The target and catalog commands as a user runs them, against local mode in this process, compared with the API's own answers. */
describe('lockstep target, clear, targets, workflows', () => {
  let mode: TestLocalMode;
  let env: Record<string, string>;
  const target = (label: string) => `cli-${randomUUID().slice(0, 8)}/deployment/${label}`;

  beforeAll(async () => {
    mode = await startTestLocalMode({ cooldownSeconds: 1 }, { realClock: systemClock });
    env = { LOCKSTEP_API_URL: mode.local.urls.api, LOCKSTEP_TOKEN: TEST_TOKEN };
  });
  afterAll(() => mode?.local.stop());

  const targetPath = (t: string) => `/targets/${encodeURIComponent(t)}`;
  /** Waits for a moment of the real clock, so that two answers compared for equality cannot straddle the end of a 1 s cooldown. */
  const passed = (until: string | undefined) =>
    new Promise((resolve) =>
      setTimeout(resolve, until ? Math.max(0, Date.parse(until) - systemClock.now().getTime() + 20) : 0),
    );

  it('target: one target (its path segment URL-encoded), json as the API answers, a readable view otherwise; an unknown target is Idle', async () => {
    const t = target('shown');
    const known = await lockstep(['run', 'wait', t, '-p', 'SECONDS=60'], env);
    expect(known.code, known.stderr).toBe(0);
    const [asJson, asTable, unknown] = await Promise.all([
      lockstep(['target', t, '-o', 'json'], env),
      lockstep(['target', t], env),
      lockstep(['target', 'arn:aws:ecs:eu-west-1:123456789012:service/a/b', '-o', 'json'], env),
    ]);
    expect(json(asJson)).toEqual((await mode.call('GET', targetPath(t))).body);
    expect(json(asJson)).toMatchObject({ targetResource: t, state: 'Running' });
    expect(asTable.stdout).toMatch(new RegExp(`^Target: +${t}\\nState: +Running\\nRunning: +[0-9a-f-]{36}\\n`));
    expect(json(unknown)).toEqual(
      (await mode.call('GET', targetPath('arn:aws:ecs:eu-west-1:123456789012:service/a/b'))).body,
    );
    expect(json(unknown)).toMatchObject({
      targetResource: 'arn:aws:ecs:eu-west-1:123456789012:service/a/b',
      state: 'Idle',
    });
  });

  it('clear: a blocked target is cleared by the identity of the credentials (as GET /identity says), and prints the target; a target that is not blocked exits 1 with the Conflict', async () => {
    const t = target('blocked');
    expect((await lockstep(['run', 'fail', t, '--wait'], env)).code).toBe(2);
    const blocked = (await mode.call('GET', targetPath(t))).body;
    expect(blocked).toMatchObject({ state: 'Blocked', blockReason: 'PreviousExecutionFailed' });
    // The failed run's cooldown (1 s on the real clock) ends first, or the command's answer and the API's could straddle its end.
    await passed(blocked.cooldownUntil);

    const cleared = await lockstep(['clear', t, '--reason', 'fixed the config (INC-1)', '-o', 'json'], env);
    expect(cleared.code, cleared.stderr).toBe(0);
    const after = (await mode.call('GET', targetPath(t))).body;
    expect(json(cleared)).toEqual(after);
    expect(after.blockClearances).toEqual([
      {
        clearedAt: expect.any(String),
        clearedBy: (await mode.call('GET', '/identity')).body.identity,
        reason: 'fixed the config (INC-1)',
      },
    ]);

    const notBlocked = await lockstep(['clear', t, '--reason', 'again'], env);
    expect(notBlocked).toMatchObject({ code: 1, stdout: '' });
    const api = await mode.call('POST', `${targetPath(t)}/clearance`, { body: { reason: 'again' } });
    expect(api.status).toBe(409);
    expect(notBlocked.stderr).toBe(errorText(api.body));

    const other = target('blocked-by');
    expect((await lockstep(['run', 'fail', other, '--wait'], env)).code).toBe(2);
    const table = await lockstep(['clear', other, '--reason', 'ok'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^State: +(Idle|CoolingDown)$/m);
    expect(table.stdout).toMatch(/^Clearances: +\S+ by token:local-admin: ok$/m);

    const missingReason = await lockstep(['clear', other], env);
    expect(missingReason).toMatchObject({ code: 1, stdout: '' });
    expect(missingReason.stderr).toMatch(/required option '--reason <reason>' not specified/);
  });

  it('targets: every state listing prints exactly what GET /targets?state= answers; without --state, every state', async () => {
    const cooling = (await mode.call('GET', '/targets?state=CoolingDown&limit=100')).body.items as {
      cooldownUntil: string;
    }[];
    await passed(
      cooling
        .map((item) => item.cooldownUntil)
        .sort()
        .at(-1),
    );
    for (const state of ['Blocked', 'AwaitingApproval', 'Running', 'BackingOff', 'CoolingDown']) {
      const api = await mode.call('GET', `/targets?state=${state}&limit=100`);
      expect(api.status).toBe(200);
      const result = await lockstep(['targets', '--state', state, '-o', 'json'], env);
      expect(result.code, result.stderr).toBe(0);
      expect(json(result)).toEqual(api.body);
    }
    const all = await lockstep(['targets', '-o', 'json'], env);
    expect(all.code, all.stderr).toBe(0);
    const everyState = await Promise.all(
      ['Blocked', 'AwaitingApproval', 'Running', 'BackingOff', 'CoolingDown'].map(
        async (state) => (await mode.call('GET', `/targets?state=${state}&limit=100`)).body.items,
      ),
    );
    expect(json(all).items).toHaveLength(everyState.flat().length);
    const wrong = await lockstep(['targets', '--state', 'Idle'], env);
    expect(wrong).toMatchObject({ code: 1, stdout: '' });
    expect(wrong.stderr).toMatch(/argument 'Idle' is invalid/);
  });

  it('workflows: the catalog and one workflow, json as the API answers, tables otherwise; an unknown workflow exits 1 with NotFound', async () => {
    const [all, allTable, one, oneTable, missing] = await Promise.all([
      lockstep(['workflows', '-o', 'json'], env),
      lockstep(['workflows'], env),
      lockstep(['workflows', 'wait', '-o', 'json'], env),
      lockstep(['workflows', 'wait'], env),
      lockstep(['workflows', 'no-such-workflow'], env),
    ]);
    expect(json(all)).toEqual((await mode.call('GET', '/workflows')).body);
    expect(json(one)).toEqual((await mode.call('GET', '/workflows/wait')).body);
    const rows = allTable.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^WORKFLOW +VERSION +PARAMETERS +DESCRIPTION$/);
    expect(rows).toContainEqual(expect.stringMatching(/^fail +1 +ERROR,CAUSE +Diagnostic: fails/));
    expect(rows).toContainEqual(expect.stringMatching(/^noop +1 +- +Diagnostic: succeeds at once\.$/));
    expect(oneTable.stdout).toMatch(/^Workflow: +wait@1\n/);
    expect(oneTable.stdout).toMatch(/^Digest: +sha256:[0-9a-f]{64}$/m);
    expect(oneTable.stdout).toMatch(/^Parameters: +SECONDS integer, default 1, 0\.\.86400: /m);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(errorText((await mode.call('GET', '/workflows/no-such-workflow')).body));
  });
});
