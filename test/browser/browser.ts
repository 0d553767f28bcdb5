import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { systemClock } from '../../lib/runtime/runtime.js';
import { statusPageUrl } from '../../lib/ui/status-page.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../support/local-mode.js';
import { until } from '../support/wait.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it): no browser is ever downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** One browser per test file; quiet: no sync, no component updates, no background requests of its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Screenshots as test artifacts; with UPDATE_SCREENSHOTS=1 also the committed copies docs/status-page.md shows. */
const ARTIFACTS = process.env.BROWSER_ARTIFACTS_DIR ?? join(tmpdir(), 'lockstep-browser-artifacts');
const COMMITTED = fileURLToPath(new URL('../../docs/images/', import.meta.url));

export async function screenshot(page: Page, name: string, options: { committed?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS === '1' && options.committed !== false)
    await page.screenshot({ path: join(COMMITTED, `${name}.png`), fullPage: true });
  return path;
}

/** A page on the status page, recording every request it makes and everything that went wrong in it. */
export interface WatchedPage {
  page: Page;
  /** Every URL the page asked for, in order. */
  requests: { method: string; url: string }[];
  /** Uncaught errors, console errors (CSP violations and failed loads among them) and dialogs nobody expected. */
  problems: string[];
  close(): Promise<void>;
}

/** The page at `hash` as the printed URL opens it, signed in with `token` (default: the printed one, `token:local-admin`). */
export async function openStatusPage(
  browser: Browser,
  t: TestLocalMode,
  hash = '',
  token: string = TEST_TOKEN,
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const requests: { method: string; url: string }[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    if (dialog.type() !== 'confirm') problems.push(`unexpected ${dialog.type()}: ${dialog.message()}`);
  });
  // The URL local mode prints, or a place on the page with the token beside it (`#/targets/x?token=`).
  const place = hash.replace(/^#/, '');
  await page.goto(
    place
      ? `${t.local.urls.api}/ui/#${place}${place.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`
      : statusPageUrl(t.local.urls.api, token),
  );
  return { page, requests, problems, close: () => context.close() };
}

/** The URLs the page asked for that are not on the API's own origin (a `data:` URL leaves nothing). */
export function foreignRequests(watched: WatchedPage, t: TestLocalMode): string[] {
  const origin = new URL(t.local.urls.api).origin;
  return watched.requests
    .map((request) => request.url)
    .filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
}

/**
 * After each test: a screenshot of a failed test's page (an artifact), the page closed, and
 * what every test of the page must hold: nothing asked of another origin, no error in the page.
 */
export async function closeAndCheck(
  watched: WatchedPage | undefined,
  t: TestLocalMode,
  test: { name: string; result?: { state?: string } },
): Promise<void> {
  if (!watched) return;
  if (test.result?.state === 'fail')
    await screenshot(watched.page, `failed-${test.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`, {
      committed: false,
    }).catch(() => undefined);
  const { problems } = watched;
  const foreign = foreignRequests(watched, t);
  await watched.close();
  expect(foreign, 'requests that left the API origin').toEqual([]);
  expect(problems, 'errors in the page').toEqual([]);
}

const CONTROL_ROLES = new Set([
  'button',
  'link',
  'textbox',
  'combobox',
  'checkbox',
  'radio',
  'searchbox',
  'spinbutton',
  'listbox',
]);

/** The controls on the page with no accessible name, as Chromium's accessibility tree has them (role: what it shows). */
export async function unnamedControls(page: Page): Promise<string[]> {
  const session = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await session.send('Accessibility.getFullAXTree')) as {
      nodes: { ignored?: boolean; role?: { value?: string }; name?: { value?: string } }[];
    };
    return nodes
      .filter(
        (node) =>
          !node.ignored && CONTROL_ROLES.has(String(node.role?.value)) && !String(node.name?.value ?? '').trim(),
      )
      .map((node) => `${node.role?.value}`);
  } finally {
    await session.detach();
  }
}

/** Polls `check` (an assertion) until it passes: what the page shows arrives with its next refresh. */
export async function eventually(
  check: () => Promise<void> | void,
  boundMs = 15_000,
  what = 'the page to show it',
): Promise<void> {
  let last: unknown;
  await until(
    async () => {
      try {
        await check();
        return true;
      } catch (error) {
        last = error;
        return undefined;
      }
    },
    boundMs,
    what,
    200,
  ).catch((error: Error) => {
    throw last instanceof Error ? Object.assign(last, { message: `${error.message}: ${last.message}` }) : error;
  });
}

/**
 * One local mode (real clock: the page tells time by the browser's; the built-in workflows and
 * those of `options.workflowsDir`; the tokens of `options.tokensFile` besides the printed one) and one Chromium for a test file, `setup` run once they are
 * up; each test opens its page with `open`, and after it the page is checked and closed
 * (`closeAndCheck`).
 */
export function browserSuite(
  setup: (t: TestLocalMode) => Promise<void> = async () => {},
  options: { workflowsDir?: string; tokensFile?: string } = {},
) {
  let browser: Browser | undefined;
  let watched: WatchedPage | undefined;
  let others: WatchedPage[] = [];
  const suite = {
    t: undefined as unknown as TestLocalMode,
    /** The status page at `hash` (signed in with `token`), watched for requests and errors until the test ends. */
    async open(hash = '', token?: string): Promise<WatchedPage> {
      watched = await openStatusPage(browser!, suite.t, hash, token);
      return watched;
    },
    /** A second page at once (another person's), watched and checked as the first when the test ends. */
    async openAnother(hash = '', token?: string): Promise<WatchedPage> {
      const another = await openStatusPage(browser!, suite.t, hash, token);
      others.push(another);
      return another;
    },
  };
  beforeAll(async () => {
    [suite.t, browser] = await Promise.all([
      startTestLocalMode({}, { realClock: systemClock, ...options }),
      launchBrowser(),
    ]);
    await setup(suite.t);
  });
  afterEach(async ({ task }) => {
    const pages = [watched, ...others];
    watched = undefined;
    others = [];
    for (const page of pages) await closeAndCheck(page, suite.t, task);
  });
  afterAll(async () => {
    await browser?.close();
    await suite.t?.local.stop();
  });
  return suite;
}
