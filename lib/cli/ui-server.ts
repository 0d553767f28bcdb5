import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, pathPattern, ROUTES } from '../contract/routes.js';
import {
  type ClientError,
  ClientGoneError,
  decodeUtf8,
  listen,
  type RawResponse,
  readBody,
  sendWhole,
} from '../local/http-listen.js';
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
 * under the names of its own address (in any case), so another web page or a rebound DNS name
 * cannot use it. At the edges of HTTP it answers as local mode's server does: CONNECT 405, a
 * request that does not arrive whole in time 408, a body over 256 KiB 413 (read to its end
 * before the connection is let go), a body that is not UTF-8 400.
 */
export async function serveStatusPage(
  client: ApiClient,
  options: { port: number /** Default: http-listen's REQUEST_TIMEOUT_MS. */; requestTimeoutMs?: number },
): Promise<StatusPageServer> {
  const session = randomBytes(24).toString('base64url');
  let origin = '';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    answer(req, res).catch((error: unknown) => {
      if (!(error instanceof ClientGoneError))
        sendJsonTo(req, res, 502, {
          error: { code: 'BadGateway', message: `the API did not answer: ${(error as Error).message}` },
        });
    });
  };

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sendJson = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      sendJsonTo(req, res, status, body, headers);
    if (!isOwnHost(req.headers.host, origin))
      return sendJson(421, { error: { code: 'MisdirectedRequest', message: `this server answers only as ${origin}` } });
    const path = (req.url ?? '/').split('?')[0]!;
    const page = await statusPageResponse(req.method, path);
    if (page) return sendWhole(req, res, page.status, page.headers, page.body);
    // Only the API's own routes, by path: never another host (`http://evil/x`, `//evil/x`, `/\\evil/x`) or another path on the API's.
    if (!ROUTE_PATTERNS.some((pattern) => pattern.test(path)) || /[\\]|%2e%2e|\/\.\.?(\/|$)/i.test(req.url ?? '')) {
      return sendJson(404, { error: { code: 'NotFound', message: `no route for ${path.slice(0, 200)}` } });
    }
    if (!holdsSession(req.headers.authorization, session)) {
      return sendJson(401, {
        error: {
          code: 'Unauthorized',
          message: 'open the status page from the URL lockstep ui printed (its #token= is this session)',
        },
      });
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined)
      return sendJson(413, {
        error: { code: 'PayloadTooLarge', message: `the body is larger than ${MAX_BODY_BYTES} bytes (256 KiB)` },
      });
    const text = decodeUtf8(body);
    if (text === undefined)
      return sendJson(400, {
        error: {
          code: 'ValidationError',
          message: 'the body is not valid UTF-8',
          details: ['body: is not valid UTF-8'],
        },
      });
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      return sendJson(400, { error: { code: 'ValidationError', message: 'the body is not valid JSON' } });
    }
    const key = req.headers['idempotency-key'];
    const response = await client.request(
      req.method ?? 'GET',
      req.url ?? '/',
      json,
      typeof key === 'string' ? { 'idempotency-key': key } : {},
    );
    const retryAfter = response.headers.get('retry-after');
    sendJson(response.status, response.body, retryAfter ? { 'retry-after': retryAfter } : {});
  }

  const server = await listen(handler, options.port, '127.0.0.1', {
    ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
    clientErrorResponse,
    connectResponse: () => rawJson(405, 'MethodNotAllowed', 'CONNECT is not served: this is no proxy'),
  });
  origin = `127.0.0.1:${server.port}`;
  return { url: statusPageUrl(`http://${origin}`, session), close: () => server.close() };
}

/** Its own address, `127.0.0.1:<port>` or `localhost:<port>`; host names are case-insensitive. */
function isOwnHost(host: string | undefined, origin: string): boolean {
  const port = origin.slice(origin.lastIndexOf(':'));
  const given = host?.toLowerCase();
  return given === origin || given === `localhost${port}`;
}

function clientErrorResponse(error: ClientError): RawResponse {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return rawJson(431, 'RequestHeaderFieldsTooLarge', 'the request line and headers are too large');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return rawJson(408, 'RequestTimeout', 'the request did not arrive in time');
  return rawJson(400, 'ValidationError', 'the request is not valid HTTP/1.1');
}

function rawJson(status: number, code: string, message: string): RawResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code, message } }),
  };
}

function holdsSession(authorization: string | undefined, session: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(session);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sendJsonTo(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendWhole(
    req,
    res,
    status,
    { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body === undefined ? '' : JSON.stringify(body),
  );
}
