import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SigV4ApiClient } from '../../../lib/cli/api-client.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local.js';
import { type LocalMode, startLocalMode } from '../../../lib/local/local-mode.js';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { sigV4Authenticator } from '../../support/sigv4-verifier.js';
import { until } from '../../support/wait.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `lockstep ui` against local mode started with the SigV4 verifier, as against a deployed
 * stack: the page's files from loopback, every call it passes on signed, and nobody but the
 * page it printed the URL for may use it.
 */
describe('lockstep ui', () => {
  const credentials = { accessKeyId: 'AKIDUITEST', secretAccessKey: 'ui-secret-key' };
  let local: LocalMode;
  let child: ChildProcess;
  let output = '';
  let url: URL;
  let session: string;
  let exited: Promise<number | null>;
  beforeAll(async () => {
    local = await startLocalMode(
      {
        port: 0,
        policy: DEFAULT_POLICY,
        sweepIntervalSeconds: 3600,
        stepFunctionsPort: 0,
        eventBridgePort: 0,
        tableName: `lockstep-test-${randomUUID()}`,
        dynamodbEndpoint: inject('dynamodbEndpoint'),
      },
      { clock: systemClock, authenticate: sigV4Authenticator(credentials, LOCAL_REGION), writeMetrics: () => {} },
    );
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(LOCKSTEP_|AWS_)/.test(name)),
    );
    child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'ui', '--api', local.urls.api, '--sigv4'], {
      cwd: root,
      env: {
        ...inherited,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: LOCAL_REGION,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const line = await until(() => /^UI: (\S+)$/m.exec(output)?.[1], 30_000, `the UI line\n${output}`);
    url = new URL(line);
    session = decodeURIComponent(url.hash.replace(/^#token=/, ''));
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGTERM');
    await local?.stop();
  });

  const call = (path: string, init: RequestInit = {}) => fetch(new URL(path, url.origin), init);
  const withSession = (init: RequestInit = {}) => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${session}` },
  });

  it('prints a loopback URL of the status page with a session token, and serves the page there without credentials', async () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toBe('/ui/');
    expect(session.length).toBeGreaterThanOrEqual(32);
    const page = await call('/ui/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    await until(
      () => (/serving the status page for .* \(sigv4/.test(output) ? true : undefined),
      10_000,
      `the note on standard error\n${output}`,
    );
  });

  it('passes the page’s calls to the API signed with SigV4, answering exactly as the API does', async () => {
    const api = new SigV4ApiClient({ baseUrl: local.urls.api, region: LOCAL_REGION, credentials });
    const workflows = await call('/workflows', withSession());
    expect(workflows.status).toBe(200);
    expect(await workflows.json()).toEqual((await api.request('GET', '/workflows')).body);
    // Who the page says is signed in: the signed call's principal, as the API answers it.
    const identity = await call('/identity', withSession());
    expect(identity.status).toBe(200);
    expect(await identity.json()).toEqual((await api.request('GET', '/identity')).body);

    const target = `ui-${randomUUID().slice(0, 8)}/deployment/app`;
    const created = await call(
      '/executions',
      withSession({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ targetResource: target, workflowId: 'noop' }),
      }),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const listed = await call(`/executions?targetResource=${encodeURIComponent(target)}`, withSession());
    expect(((await listed.json()) as { items: { id: string }[] }).items.map((e) => e.id)).toEqual([id]);
    const busy = await call(
      '/executions',
      withSession({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ targetResource: target, workflowId: 'noop' }),
      }),
    );
    expect(busy.status).toBe(409);
    // Busy (the run has no known end) or cooling down (whole seconds until it ends), as the API said it.
    const refusal = (await busy.json()) as { skipDetails: { reason: string } };
    if (refusal.skipDetails.reason === 'RecentlyRemediated') expect(busy.headers.get('retry-after')).toMatch(/^\d+$/);
    else expect(refusal.skipDetails.reason).toBe('ResourceBusy');
  });

  it('answers nobody without the session token, nor a request under another host name (a rebound DNS name)', async () => {
    for (const init of [{}, { headers: { authorization: 'Bearer not-the-session' } }]) {
      const refused = await call('/workflows', init);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: 'Unauthorized' } });
    }
    // A cross-site form can post without a preflight: without the session it does nothing.
    const cancel = await call('/executions/x/cancel', { method: 'POST' });
    expect(cancel.status).toBe(401);
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: url.port,
          path: '/workflows',
          headers: { host: `evil.example:${url.port}`, authorization: `Bearer ${session}` },
        },
        (res) => resolve(res.statusCode!),
      );
      req.on('error', reject);
      req.end();
    });
    expect(rebound).toBe(421);
  });

  it("passes on only the API's own routes: never a request for another host or another path, whatever the path says", async () => {
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: url.port,
            path,
            headers: { host: `127.0.0.1:${url.port}`, authorization: `Bearer ${session}` },
          },
          (res) => resolve(res.statusCode!),
        );
        req.on('error', reject);
        req.end();
      });
    for (const path of [
      'http://evil.example/workflows',
      '//evil.example/workflows',
      '/\\evil.example/workflows',
      '/targets/../../other-stage/x',
      '/targets/%2e%2e/%2e%2e/x',
      '/nope',
      '/ui/../workflows/../../x',
    ]) {
      expect(await raw(path), path).toBe(404);
    }
    expect(await raw('/workflows')).toBe(200);
  });

  it('stops on SIGTERM with exit 0', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
