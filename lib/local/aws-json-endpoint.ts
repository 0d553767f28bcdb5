import type { IncomingMessage, ServerResponse } from 'node:http';
import { LockstepError } from '../domain/errors.js';
import { type ListeningServer, listen, readBody, sendWhole } from './http-listen.js';
import type { ReceivedRequest, Refusal } from './sigv4-authentication.js';

/** An error the emulated service would return; `type` is its `__type` on the wire (the class name never is). */
export class AwsServiceError extends LockstepError {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export type AwsJsonBody = Record<string, unknown>;

export interface AwsJsonEndpointOptions {
  /** `X-Amz-Target` prefix, for example `AWSStepFunctions.`. */
  targetPrefix: string;
  /** The JSON protocol version the service speaks (Step Functions 1.0, EventBridge 1.1). */
  protocolVersion: '1.0' | '1.1';
  operations: Record<string, (body: AwsJsonBody) => unknown>;
  maxRequestBytes: number;
  /** Who may call: a refusal is a 403 and nothing runs (local mode: SigV4 with the token as secret, see sigv4-authentication.ts). */
  authenticate: (request: ReceivedRequest) => Promise<Refusal | undefined>;
  port?: number;
}

/**
 * Serves an AWS JSON protocol (`POST /` with `X-Amz-Target: <prefix><Operation>`) so that
 * AWS SDK clients and the AWS CLI work against a local service. Timestamps go out as epoch
 * seconds, service errors as `{"__type", "message"}` with `x-amzn-errortype`. Only the
 * operations' own names are operations (`constructor` is not one); a body must be a JSON object.
 * A request is authenticated (over its body, which the signature covers) before anything else
 * is looked at: an unauthenticated caller learns nothing, not even which operations exist.
 */
export async function startAwsJsonEndpoint(options: AwsJsonEndpointOptions): Promise<ListeningServer> {
  return listen((req, res) => void handle(options, req, res), options.port ?? 0);
}

async function handle(options: AwsJsonEndpointOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown) => send(req, res, options.protocolVersion, status, body);
  try {
    const raw = await readBody(req, options.maxRequestBytes);
    if (!raw)
      return reply(413, {
        __type: 'ValidationException',
        message: `Request larger than ${options.maxRequestBytes} bytes`,
      });
    const refusal = await options.authenticate({
      method: req.method ?? '',
      url: req.url ?? '/',
      headers: req.headers,
      body: raw,
    });
    if (refusal) return reply(403, { __type: refusal.type, message: refusal.message });
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(options.targetPrefix) ? target.slice(options.targetPrefix.length) : undefined;
    const operation =
      name !== undefined && Object.hasOwn(options.operations, name) ? options.operations[name] : undefined;
    if (req.method !== 'POST' || !operation)
      return reply(400, {
        __type: 'UnknownOperationException',
        message: `Unsupported operation: ${target || '(none)'}`,
      });
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return reply(400, { __type: 'SerializationException', message: 'Request body is not JSON' });
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return reply(400, { __type: 'SerializationException', message: 'Request body is not a JSON object' });
    reply(200, operation(body as AwsJsonBody) ?? {});
  } catch (error) {
    if (res.headersSent) return void res.destroy();
    if (error instanceof AwsServiceError) return reply(400, { __type: error.type, message: error.message });
    reply(500, { __type: 'InternalServerError', message: 'internal error' });
  }
}

/** Sent whole before the request has arrived whole (a 413), so the client reads it instead of a reset connection. */
function send(req: IncomingMessage, res: ServerResponse, version: string, status: number, body: unknown): void {
  // Dates go out as epoch seconds; the replacer sees the raw value through `this`, before toJSON.
  const payload = JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
  const headers = {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': crypto.randomUUID(),
    ...(status >= 400 && { 'x-amzn-errortype': String((body as { __type?: string }).__type) }),
  };
  sendWhole(req, res, status, headers, payload);
}
