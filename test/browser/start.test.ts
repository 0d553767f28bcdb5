import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { until } from '../support/wait.js';
import { launchBrowser } from './browser.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

// What `npm start` runs (its script, without npm in between), on the shared DynamoDB Local:
// the page is bundled on the fly from the TypeScript sources, as on a fresh clone.
describe('local mode as started from the repository', () => {
  let child: ChildProcess;
  let output = '';
  let browser: Browser;

  beforeAll(async () => {
    const env = {
      ...process.env,
      PORT: '0',
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      LOCKSTEP_TABLE_NAME: `lockstep-ui-${randomUUID()}`,
      LOCKSTEP_TOKEN: '',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    [browser] = await Promise.all([
      launchBrowser(),
      until(() => (/^Token: +\S+/m.test(output) ? true : undefined), 60_000, `the endpoint lines\n${output}`),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('prints the UI line with the token in the fragment, and that URL opens the page', async () => {
    const api = /^API: +(\S+)$/m.exec(output)?.[1];
    const token = /^Token: +(\S+)$/m.exec(output)?.[1];
    const ui = /^UI: +(\S+)$/m.exec(output)?.[1];
    expect(ui, output).toBe(`${api}/ui/#token=${token}`);
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The page's files: no token needed, no third party allowed; `/` leads to it.
    const home = await fetch(`${api}/`, { redirect: 'manual' });
    expect([home.status, home.headers.get('location')]).toEqual([302, '/ui/']);
    const index = await fetch(`${api}/ui/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await index.text()).toContain('<script type="module" src="app.js"></script>');
    expect((await fetch(`${api}/ui/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${api}/ui/nothing.js`)).status).toBe(404);
    // The API itself still wants the token.
    expect((await fetch(`${api}/workflows`)).status).toBe(401);

    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui!);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    // The token left the address bar for the tab's session storage; the API answers the page.
    expect(new URL(page.url()).hash).toBe('#/');
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('article', { name: /^noop version 1/ }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
