import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_BODY_BYTES, pathPattern, ROUTES } from '../api/routes.js';
import { readBody } from '../local/http-listen.js';
import { statusPageResponse, statusPageUrl } from '../ui/status-page.js';
import type { ApiClient } from './api-client.js';

const ROUTE_PATTERNS = Object.values(ROUTES).map((route) => pathPattern(route.path));

export interface StatusPageServer {
  /** The URL to open, with this session's token in the fragment. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `lockstep ui`: the status page on loopback for the API `client` points at. The page's files
 * are served here; every call the page makes to its own origin is passed to the API through
 * `client`, which signs it (SigV4 for a deployed stack) or adds local mode's token, so no AWS
 * credential ever reaches the browser. Because the server holds credentials, it answers only
 * the page it handed the session token to (a random one, in the URL's fragment) and only
 * under the names of its own address, so another web page or a rebound DNS name cannot use it.
 */
export async function serveStatusPage(client: ApiClient, options: { port: number }): Promise<StatusPageServer> {
  const session = randomBytes(24).toString('base64url');
  let origin = '';
  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => sendJson(res, 502, { error: { code: 'BadGateway', message: `the API did not answer: ${(error as Error).message}` } }));
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isOwnHost(req.headers.host, origin)) return sendJson(res, 421, { error: { code: 'MisdirectedRequest', message: `this server answers only as ${origin}` } });
    const path = (req.url ?? '/').split('?')[0]!;
    const page = await statusPageResponse(req.method, path);
    if (page) {
      res.writeHead(page.status, page.headers).end(page.body);
      return;
    }
    // Only the API's own routes, by path: never another host (`http://evil/x`, `//evil/x`, `/\\evil/x`) or another path on the API's.
    if (!ROUTE_PATTERNS.some((pattern) => pattern.test(path)) || /[\\]|%2e%2e|\/\.\.?(\/|$)/i.test(req.url ?? '')) {
      return sendJson(res, 404, { error: { code: 'NotFound', message: `no route for ${path.slice(0, 200)}` } });
    }
    if (!holdsSession(req.headers.authorization, session)) {
      return sendJson(res, 401, { error: { code: 'Unauthorized', message: 'open the status page from the URL lockstep ui printed (its #token= is this session)' } });
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return sendJson(res, 413, { error: { code: 'PayloadTooLarge', message: `the body is larger than ${MAX_BODY_BYTES} bytes (256 KiB)` } });
    let json: unknown;
    try {
      json = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      return sendJson(res, 400, { error: { code: 'ValidationError', message: 'the body is not valid JSON' } });
    }
    const key = req.headers['idempotency-key'];
    const response = await client.request(req.method ?? 'GET', req.url ?? '/', json, typeof key === 'string' ? { 'idempotency-key': key } : {});
    const retryAfter = response.headers.get('retry-after');
    sendJson(res, response.status, response.body, retryAfter ? { 'retry-after': retryAfter } : {});
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: statusPageUrl(`http://${origin}`, session),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function isOwnHost(host: string | undefined, origin: string): boolean {
  const port = origin.slice(origin.lastIndexOf(':'));
  return host === origin || host === `localhost${port}`;
}

function holdsSession(authorization: string | undefined, session: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(session);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
}
