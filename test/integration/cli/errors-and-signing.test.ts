import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SigV4ApiClient } from '../../../lib/cli/api-client.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local.js';
import { freePort } from '../../../lib/local/http-listen.js';
import { type LocalMode, startLocalMode } from '../../../lib/local/local-mode.js';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';
import { sigV4Authenticator } from '../../support/sigv4-verifier.js';
import { errorText, json, lockstep } from './cli-process.js';

/** Exit 1 and the API's message on standard error, with nothing on standard output, for every kind of error. */
describe('lockstep errors: usage, network, authentication, the API', () => {
  let mode: TestLocalMode;
  let env: Record<string, string>;
  beforeAll(async () => {
    mode = await startTestLocalMode({}, { realClock: systemClock });
    env = { LOCKSTEP_API_URL: mode.local.urls.api, LOCKSTEP_TOKEN: TEST_TOKEN };
  });
  afterAll(() => mode?.local.stop());

  it('a usage error (missing argument, unknown command or option, bad value) exits 1 on standard error', async () => {
    const results = await Promise.all([
      lockstep(['run', 'noop'], env),
      lockstep(['nonsense'], env),
      lockstep(['get', 'x', '--bogus'], env),
      lockstep(['ls', '-o', 'yaml'], env),
      lockstep(['run', 'noop', 'a/b/c', '-p', 'NO_EQUALS_SIGN'], env),
      lockstep(['run', 'noop', 'a/b/c', '--timeout', '1e3'], env),
      lockstep(['ls', '--limit', '0'], env),
      lockstep(['ls', '--since', 'yesterday'], env),
      lockstep(['ls', '--target', 'a/b/c', '--since', '1h'], env),
      lockstep(['ls', '--api', 'not a url'], env),
    ]);
    const messages = [
      /missing required argument 'target'/,
      /unknown command 'nonsense'/,
      /unknown option '--bogus'/,
      /argument 'yaml' is invalid\. Allowed choices are table, json/,
      /expected KEY=VALUE/,
      /expected a whole number of at least 1/,
      /expected a whole number of at least 1/,
      /^error: --since: "yesterday" is neither a duration back from now .* nor an RFC 3339 time/,
      /^error: --since list across targets: leave out --target/,
      /^error: --api: "not a url" is not a URL/,
    ];
    results.forEach((result, index) => {
      expect(result, String(messages[index])).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toMatch(messages[index]!);
    });
  });

  it('every command has --help with an example; the API commands list the global options', async () => {
    const commands = [
      [],
      ['run'],
      ['get'],
      ['events'],
      ['wait'],
      ['cancel'],
      ['ls'],
      ['targets'],
      ['target'],
      ['clear'],
      ['workflows'],
      ['workflows', 'validate'],
      ['local'],
    ];
    const helps = await Promise.all(commands.map((command) => lockstep([...command, '--help'])));
    helps.forEach((help, index) => {
      expect(help, commands[index]!.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(/\nExamples?:\n {2}.*lockstep /);
      expect(help.stdout.includes('--api <url>')).toBe(!['local', 'validate'].includes(commands[index]!.at(-1)!));
    });
  });

  it('a closed port exits 1 saying the API cannot be reached', async () => {
    const port = await freePort();
    const result = await lockstep(['get', 'x', '--api', `http://127.0.0.1:${port}`], env);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      `error: cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
  });

  it('a wrong or missing token exits 1 with the 401 message', async () => {
    const wrong = await lockstep(['workflows', '--token', 'wrong-token'], env);
    expect(wrong).toMatchObject({ code: 1, stdout: '' });
    expect(wrong.stderr).toBe(errorText((await mode.call('GET', '/workflows', { token: 'wrong-token' })).body));
    expect(wrong.stderr).toMatch(/^Unauthorized: /);
    const missing = await lockstep(['workflows'], { LOCKSTEP_API_URL: mode.local.urls.api });
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(errorText((await mode.call('GET', '/workflows', { token: null })).body));
  });

  it('an unknown id exits 1 with NotFound; a refused body exits 1 with every detail', async () => {
    const id = randomUUID();
    const results = await Promise.all(
      ['get', 'events', 'cancel', 'wait'].map((command) => lockstep([command, id], env)),
    );
    for (const result of results) {
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toBe(`NotFound: execution ${id} does not exist\n`);
    }
    const invalid = await lockstep(['run', 'wait', 'a/deployment/b', '-p', 'SECONDS=soon', '-p', 'EXTRA=1'], env);
    expect(invalid).toMatchObject({ code: 1, stdout: '' });
    const api = await mode.call('POST', '/executions', {
      body: { targetResource: 'a/deployment/b', workflowId: 'wait', parameters: { SECONDS: 'soon', EXTRA: '1' } },
    });
    expect(api.status).toBe(400);
    expect(api.body.error.details.length).toBeGreaterThan(0);
    expect(invalid.stderr).toBe(errorText(api.body));
  });
});

/** The command signs with SigV4 (the standard credential chain: here the environment) for local mode behind a verifier of signatures. */
describe('lockstep with SigV4', () => {
  const credentials = { accessKeyId: 'AKIDCLITEST', secretAccessKey: 'cli-secret-key' };
  let local: LocalMode;
  let env: Record<string, string>;
  let api: SigV4ApiClient;
  beforeAll(async () => {
    local = await startLocalMode(
      {
        port: 0,
        policy: DEFAULT_POLICY,
        sweepIntervalSeconds: 3600,
        tableName: `lockstep-test-${randomUUID()}`,
        dynamodbEndpoint: inject('dynamodbEndpoint'),
      },
      { clock: systemClock, authenticate: sigV4Authenticator(credentials, LOCAL_REGION), writeMetrics: () => {} },
    );
    env = {
      LOCKSTEP_API_URL: local.urls.api,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: LOCAL_REGION,
    };
    api = new SigV4ApiClient({ baseUrl: local.urls.api, region: LOCAL_REGION, credentials });
  });
  afterAll(() => local?.stop());

  it('--sigv4 or LOCKSTEP_SIGV4=1 signs every call: GETs with encoded paths and queries, and POSTs with bodies', async () => {
    const workflows = await lockstep(['workflows', '--sigv4', '-o', 'json'], env);
    expect(workflows.code, workflows.stderr).toBe(0);
    expect(json(workflows)).toEqual((await api.request('GET', '/workflows')).body);

    const signed = { ...env, LOCKSTEP_SIGV4: '1' };
    const target = `cli-${randomUUID().slice(0, 8)}/deployment/signed`;
    const failed = await lockstep(['run', 'fail', target, '-p', 'CAUSE=signed body', '--wait', '-o', 'json'], signed);
    expect(failed.code, failed.stderr).toBe(2);
    expect(json(failed)).toMatchObject({
      targetResource: target,
      requestedBy: `arn:aws:iam::000000000000:user/${credentials.accessKeyId}`,
    });
    const listed = await lockstep(['ls', '--target', target, '-o', 'json'], signed);
    expect(json(listed)).toEqual(
      (await api.request('GET', `/executions?targetResource=${encodeURIComponent(target)}&limit=20`)).body,
    );

    // The clearer is the signed call's IAM principal, as for the request.
    const cleared = await lockstep(['clear', target, '--reason', 'signed clearance', '-o', 'json'], signed);
    expect(cleared.code, cleared.stderr).toBe(0);
    const { cooldownRemainingSeconds: printedRemaining, ...printed } = json(cleared);
    const { cooldownRemainingSeconds: remaining, ...stored } = (
      await api.request('GET', `/targets/${encodeURIComponent(target)}`)
    ).body;
    expect(printed).toEqual(stored);
    // Whole seconds of the 300 s cooldown left, read a moment apart: the same, or one less.
    expect([0, 1]).toContain(printedRemaining - remaining);
    expect(json(cleared).blockClearances[0].clearedBy).toBe(
      `arn:aws:iam::000000000000:user/${credentials.accessKeyId}`,
    );
  });

  it('a wrong secret, or no signing, exits 1 with the 401 message', async () => {
    const forged = await lockstep(['workflows', '--sigv4'], { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' });
    expect(forged).toMatchObject({ code: 1, stdout: '', stderr: 'Unauthorized: the SigV4 signature does not match\n' });
    const unsigned = await lockstep(['workflows'], env);
    expect(unsigned).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'Unauthorized: missing or foreign SigV4 signature\n',
    });
  });

  it('with no credentials anywhere, exits 1 saying so', async () => {
    const result = await lockstep(['workflows', '--sigv4'], {
      LOCKSTEP_API_URL: local.urls.api,
      AWS_REGION: LOCAL_REGION,
    });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/^error: no AWS credentials to sign with \(SigV4\): /);
  });
});
