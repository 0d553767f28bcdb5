import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/local/http-listen.js';
import { until } from '../../support/wait.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'package-token';
// The project runs on the Node.js 22 this suite runs on, first on PATH as for a user who has it.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** A new team's project outside this repository, with only the packed tarball installed. */
describe('Lockstep as a package another project installs', () => {
  const project = mkdtempSync(join(tmpdir(), 'lockstep-user-'));
  const lockstep = join(project, 'node_modules', '.bin', 'lockstep');

  beforeAll(() => {
    const packed = mkdtempSync(join(tmpdir(), 'lockstep-pack-'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', packed], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = join(packed, readdirSync(packed).find((name) => name.endsWith('.tgz'))!);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'team-remediation', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-save', tarball], { cwd: project, env, stdio: ['ignore', 'ignore', 'inherit'] });
  }, 600_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('installs a lockstep command whose help lists its commands, and refuses an unknown one with exit 1 on standard error', () => {
    const help = spawnSync(lockstep, ['--help'], { cwd: project, env, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/local/);
    const wrong = spawnSync(lockstep, ['nonsense'], { cwd: project, env, encoding: 'utf8' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/unknown command/);
    expect(wrong.stdout).toBe('');
  });

  it('validates a workflows folder offline: exit 0 and one line per workflow, or exit 1 and one line per problem naming the file', () => {
    const write = (path: string, content: unknown) => {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), typeof content === 'string' ? content : JSON.stringify(content));
    };
    write('workflows/restart/workflow.json', { id: 'restart-deployment', version: '1', description: 'Restarts a deployment', definition: 'definition.asl.json' });
    write('workflows/restart/definition.asl.json', { StartAt: 'Go', States: { Go: { Type: 'Pass', End: true } } });
    write('broken/scale/workflow.json', { id: 'scale', version: '1', description: 'Scales', definition: 'definition.asl.json', QueryLanguage: 'JSONata' });
    write('broken/scale/definition.asl.json', { StartAt: 'Go', States: { Go: { Type: 'Pass', Next: 'Nowhere' } } });

    const valid = spawnSync(lockstep, ['workflows', 'validate', 'workflows'], { cwd: project, env, encoding: 'utf8' });
    expect(valid.status, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^restart-deployment@1 {2}sha256:[0-9a-f]{64} {2}Restarts a deployment\n$/);

    const invalid = spawnSync(lockstep, ['workflows', 'validate', 'broken'], { cwd: project, env, encoding: 'utf8' });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^scale\/workflow\.json: .*QueryLanguage/), 'scale/definition.asl.json: state "Go" has Next "Nowhere", which does not exist']);
  });

  it('runs local mode from the installed package (DynamoDB Local included): noop to Completed, stopped by SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(lockstep, ['local'], { cwd: project, env: { ...env, PORT: String(port), LOCKSTEP_TOKEN: TOKEN, LOCKSTEP_STEPFUNCTIONS_PORT: '0', LOCKSTEP_EVENTBRIDGE_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => (/Token: +\S+/.test(output) ? true : undefined), 90_000, `the endpoint lines\n${output}`);
      const api = `http://127.0.0.1:${port}`;
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const created = await fetch(`${api}/executions`, { method: 'POST', headers, body: JSON.stringify({ targetResource: 'team/deployment/app', workflowId: 'noop' }) });
      expect(created.status, output).toBe(201);
      const { id } = (await created.json()) as { id: string };
      await until(async () => ((await (await fetch(`${api}/executions/${id}`, { headers })).json()) as { phase: string }).phase === 'Completed' || undefined, 20_000, 'Completed');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('lockstep: stopped');
  }, 120_000);
});
