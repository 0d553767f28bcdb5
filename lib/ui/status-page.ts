import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildStatusPage, type PageAsset } from './build-status-page.js';

/** Where the status page lives on the API's origin. */
const STATUS_PAGE_PATH = '/ui/';

/** A complete answer to a request for the page. */
export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The page may run its own script and style and call its own origin, nothing else: no CDN,
 * no third party, no inline script, and it may not be framed. The icon is an empty `data:`
 * URL, so the browser does not ask the API for /favicon.ico.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** The URL a person opens: the token rides in the fragment, which the browser never sends to any server. */
export function statusPageUrl(apiUrl: string, token?: string): string {
  return `${apiUrl.replace(/\/+$/, '')}${STATUS_PAGE_PATH}${token ? `#token=${encodeURIComponent(token)}` : ''}`;
}

let assets: Promise<Map<string, PageAsset>> | undefined;

/**
 * The page's files, once per process. The installed package ships them prebuilt beside this
 * module (`assets/`, written by `npm run build`); in the repository, where `npm start` runs
 * the TypeScript itself, they are bundled from `page/` with esbuild on first use.
 */
function pageAssets(): Promise<Map<string, PageAsset>> {
  assets ??= loadAssets().catch((error: unknown) => {
    assets = undefined; // a fixed source builds on the next request
    throw error;
  });
  return assets;
}

async function loadAssets(): Promise<Map<string, PageAsset>> {
  const prebuilt = fileURLToPath(new URL('./assets/', import.meta.url));
  if (!existsSync(prebuilt)) return buildStatusPage();
  const files = new Map<string, PageAsset>();
  for (const name of readdirSync(prebuilt)) files.set(name, { name, contents: readFileSync(`${prebuilt}${name}`) });
  return files;
}

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * The answer to `method path` when it asks for the status page (`/`, `/ui`, `/ui/…`), else
 * `undefined` (the API's to answer); for HEAD, Node's server drops the body itself. No authentication: the page's files hold no data; every
 * call the page makes to the API carries the token. Shared by local mode and `lockstep ui`.
 */
export async function statusPageResponse(method: string | undefined, path: string): Promise<PageResponse | undefined> {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (path === '/' || path === '/ui')
    return { status: 302, headers: { location: STATUS_PAGE_PATH, 'cache-control': 'no-cache' }, body: Buffer.alloc(0) };
  if (!path.startsWith(STATUS_PAGE_PATH)) return undefined;
  const name = path === STATUS_PAGE_PATH ? 'index.html' : path.slice(STATUS_PAGE_PATH.length);
  const files = await pageAssets();
  const asset = files.get(name);
  if (!asset) {
    const body = Buffer.from(
      JSON.stringify({ error: { code: 'NotFound', message: `no file ${name} in the status page` } }),
    );
    return { status: 404, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
  }
  const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': type }, body: asset.contents };
}
