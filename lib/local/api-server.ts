import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../contract/routes.js';
import { errorResponse, HttpError } from '../handlers/http-errors.js';
import type { Clock, EngineLogger } from '../ports/index.js';
import { statusPageResponse } from '../ui/status-page.js';
import {
  type ClientError,
  ClientGoneError,
  decodeUtf8,
  type ListeningServer,
  listen,
  type RawResponse,
  readBody,
  sendWhole,
} from './http-listen.js';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * The longest request line plus headers Node's parser accepts (its default): beyond it the
 * answer is 431 RequestHeaderFieldsTooLarge, whichever part is long.
 */
const MAX_HEADER_BYTES = 16 * 1024;
/** The longest request target (path and query), as API Gateway's limit of about 8 KB: beyond it, 414 UriTooLong. */
const MAX_URL_BYTES = 8 * 1024;

/**
 * Local mode's front door: turns each HTTP request into the API Gateway REST (v1 proxy)
 * event the `api` Lambda receives, calls the same handler, and writes its answer back.
 *
 * Every answer it writes itself carries API.md's error body, `{"error": {"code", "message"}}`,
 * built by the api's one error mapper (`errorResponse`): a request target over 8 KiB is
 * 414 UriTooLong; a request line and headers over 16 KiB, refused by Node's parser, 431
 * RequestHeaderFieldsTooLarge; a request the parser cannot read, 400 ValidationError; one
 * that does not arrive whole within the request timeout (30 s; a body shorter than its
 * Content-Length), 408 RequestTimeout; CONNECT, 405 MethodNotAllowed; a body over 256 KiB,
 * 413 PayloadTooLarge, answered while the client may still be sending and read to its end
 * before the connection is let go; a body that is not valid UTF-8, 400 ValidationError. The
 * status page's files (`/`, `/ui/…`, no authentication: they hold no data) are answered here
 * too. Everything else is the `api` handler's answer.
 */
export async function startApiServer(
  handler: ProxyHandler,
  options: {
    logger: EngineLogger;
    clock: Clock;
    port?: number;
    host?: string /** Default: http-listen's REQUEST_TIMEOUT_MS. */;
    requestTimeoutMs?: number;
  },
): Promise<ListeningServer> {
  const { logger, clock } = options;
  return listen((req, res) => void serve(handler, logger, clock, req, res), options.port ?? 0, options.host, {
    maxHeaderSize: MAX_HEADER_BYTES,
    ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
    clientErrorResponse: (error) => clientErrorResponse(error, logger),
    connectResponse: () =>
      rawErrorResponse(new HttpError(405, 'MethodNotAllowed', 'CONNECT is not served: this is no proxy'), logger),
  });
}

async function serve(
  handler: ProxyHandler,
  logger: EngineLogger,
  clock: Clock,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  let result: APIGatewayProxyResult;
  try {
    if (Buffer.byteLength(req.url ?? '') > MAX_URL_BYTES)
      throw new HttpError(414, 'UriTooLong', `the request URL is longer than ${MAX_URL_BYTES} bytes (8 KiB)`);
    const page = await statusPageResponse(req.method, (req.url ?? '/').split('?')[0]!);
    if (page) return sendWhole(req, res, page.status, page.headers, page.body);
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body) throw new HttpError(413, 'PayloadTooLarge', `the body is larger than ${MAX_BODY_BYTES} bytes (256 KiB)`);
    result = await handler(toProxyEvent(req, body, requestId, clock.now()));
  } catch (error) {
    // Gone, or timed out and answered 408 by the server: nobody is left to answer, and nothing failed here.
    if (error instanceof ClientGoneError) return;
    result = errorResponse(error, requestId, logger);
  }
  sendWhole(req, res, result.statusCode, result.headers as Record<string, string>, result.body);
}

/** The answer to a request Node's parser refused, with the error body of every other answer. */
function clientErrorResponse(error: ClientError, logger: EngineLogger): RawResponse {
  const refusal =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new HttpError(
          431,
          'RequestHeaderFieldsTooLarge',
          `the request line and headers are larger than ${MAX_HEADER_BYTES} bytes (16 KiB)`,
        )
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new HttpError(408, 'RequestTimeout', 'the request did not arrive in time')
        : new HttpError(400, 'ValidationError', 'the request is not valid HTTP/1.1');
  return rawErrorResponse(refusal, logger);
}

function rawErrorResponse(refusal: HttpError, logger: EngineLogger): RawResponse {
  const result = errorResponse(refusal, randomUUID(), logger);
  return { status: result.statusCode, headers: result.headers as Record<string, string>, body: result.body };
}

/**
 * The API Gateway event of a request. Every header and query parameter name becomes an own
 * data property, whatever it is (`__proto__`, `constructor`): names are gathered in Maps and
 * never looked up in an object. As on API Gateway, the single-value maps hold the last value.
 */
export function toProxyEvent(req: IncomingMessage, body: Buffer, requestId: string, now: Date): APIGatewayProxyEvent {
  const url = requestUrl(req.url ?? '/');
  const headerPairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headerPairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  const [headers, multiValueHeaders] = gather(headerPairs);
  refuseNonUtf8Query(url.search);
  const [query, multiQuery] = gather(url.searchParams);
  const hasQuery = url.searchParams.size > 0;
  const method = req.method ?? 'GET';
  const text = decodeUtf8(body);
  if (text === undefined)
    throw new HttpError(400, 'ValidationError', 'the body is not valid UTF-8', [
      'body: is not valid UTF-8 (a byte sequence that is not UTF-8 is refused, never repaired)',
    ]);
  return {
    resource: '/{proxy+}',
    // Raw, as sent: percent-encoded segments (a target's %2F) stay encoded for the router.
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: { proxy: url.pathname.slice(1) },
    stageVariables: null,
    body: text.length > 0 ? text : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      httpMethod: method,
      path: url.pathname,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
      stage: 'local',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

/**
 * A query parameter name or value whose percent-decoded bytes are not UTF-8 is a 400 naming it:
 * URLSearchParams would repair it with U+FFFD, and read another target than the one sent (the
 * path's bytes are refused the same way). A `%` not followed by two hex digits stays a `%`, as
 * URLSearchParams reads it; `decodeURIComponent` refuses every byte sequence that is not UTF-8.
 */
function refuseNonUtf8Query(search: string): void {
  const utf8 = (raw: string) => {
    try {
      return decodeURIComponent(raw.replace(/\+/g, ' ').replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
    } catch {
      return undefined;
    }
  };
  const problem = 'is not UTF-8 once percent-decoded (refused, never repaired)';
  for (const pair of search.slice(1).split('&')) {
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const name = utf8(rawName);
    if (name === undefined)
      throw new HttpError(400, 'ValidationError', `the query parameter name ${rawName} ${problem}`, [
        `query: the parameter name ${rawName} ${problem}`,
      ]);
    if (equals >= 0 && utf8(pair.slice(equals + 1)) === undefined) {
      throw new HttpError(400, 'ValidationError', `the query parameter ${name} ${problem}`, [
        `query.${name}: ${problem}`,
      ]);
    }
  }
}

/** Name → last value and name → every value, as own data properties. */
function gather(pairs: Iterable<[string, string]>): [Record<string, string>, Record<string, string[]>] {
  const all = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const values = all.get(name);
    if (values) values.push(value);
    else all.set(name, [value]);
  }
  return [Object.fromEntries([...all].map(([name, values]) => [name, values.at(-1)!])), Object.fromEntries(all)];
}

/** The request target as a URL: a path (even one starting with `//`), or an absolute http(s) URL as a proxy sends. */
function requestUrl(target: string): URL {
  try {
    const url = target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // refused below
  }
  throw new HttpError(400, 'ValidationError', 'the request target is not a path');
}
