import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../api/api-handler.js';
import { HttpError, errorResponse } from '../api/http-errors.js';
import type { Clock, EngineLogger } from '../ports.js';
import { listen, readBody, type ListeningServer } from './http-listen.js';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * Local mode's front door: turns each HTTP request into the API Gateway REST (v1 proxy)
 * event the `api` Lambda receives, calls the same handler, and writes its answer back.
 */
export async function startApiServer(handler: ProxyHandler, options: { logger: EngineLogger; clock: Clock; port?: number; host?: string }): Promise<ListeningServer> {
  const { logger, clock } = options;
  return listen((req, res) => void serve(handler, logger, clock, req, res), options.port ?? 0, options.host);
}

async function serve(handler: ProxyHandler, logger: EngineLogger, clock: Clock, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  let result: APIGatewayProxyResult;
  try {
    const body = await readBody(req, MAX_BODY_BYTES);
    result = body ? await handler(toProxyEvent(req, body, requestId, clock.now())) : errorResponse(new HttpError(413, 'PayloadTooLarge', `the body is larger than ${MAX_BODY_BYTES} bytes (256 KiB)`), requestId, logger);
  } catch (error) {
    result = errorResponse(error, requestId, logger);
  }
  res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'content-length': Buffer.byteLength(result.body) });
  res.end(result.body);
}

function toProxyEvent(req: IncomingMessage, body: Buffer, requestId: string, now: Date): APIGatewayProxyEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i]!, req.rawHeaders[i + 1]!];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const method = req.method ?? 'GET';
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
    body: body.length > 0 ? body.toString('utf8') : null,
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
