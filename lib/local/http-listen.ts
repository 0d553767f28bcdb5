import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LockstepError } from '../domain/errors.js';

export interface ListeningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A request Node's HTTP parser refused before any handler saw it; `code` says why (`HPE_HEADER_OVERFLOW`, `ERR_HTTP_REQUEST_TIMEOUT`, ...). */
export type ClientError = Error & { code?: string };

/** A complete answer, written as is to the connection. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * How long a whole request (line, headers and body) may take to arrive. A client that declares
 * more body than it sends is answered 408 once it passes, not held: Node's own default is 5
 * minutes, checked every 30 s. Loopback carries the largest body (256 KiB) in milliseconds.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface ListenOptions {
  /** The largest request line plus headers the parser accepts, in bytes. Default: Node's, 16 KiB. */
  maxHeaderSize?: number;
  /** The whole request must arrive within this many ms, else it is answered as a client error `ERR_HTTP_REQUEST_TIMEOUT` (408). Default: REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /**
   * The answer to a request the parser refuses (headers over `maxHeaderSize`, malformed,
   * too slow): written as a complete HTTP/1.1 response, then the connection is closed.
   * Default: Node's own, a status line with no body.
   */
  clientErrorResponse?: (error: ClientError) => RawResponse;
  /** The answer to CONNECT (no server here is a proxy), written before the connection is closed. Default: a 405 with no body; Node's own is to close without a word. */
  connectResponse?: () => RawResponse;
}

/** Listens on loopback (port 0 = a free one) and resolves once the port is bound. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
  host = '127.0.0.1',
  options: ListenOptions = {},
): Promise<ListeningServer> {
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const server: Server = createServer(
    {
      ...(options.maxHeaderSize !== undefined && { maxHeaderSize: options.maxHeaderSize }),
      requestTimeout,
      // Node requires headersTimeout <= requestTimeout; its check runs every connectionsCheckingInterval.
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(1_000, requestTimeout),
    },
    handler,
  );
  const answer = options.clientErrorResponse;
  if (answer)
    server.on('clientError', (error: ClientError, socket: Socket) => answerClientError(socket, error, answer));
  server.on('connect', (_req: IncomingMessage, socket: Socket) =>
    writeAndClose(
      socket,
      options.connectResponse?.() ?? { status: 405, headers: { allow: 'GET, HEAD, POST' }, body: '' },
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** As Node does by default, but with a body: nothing is written when the peer is gone or a response has already begun on this connection. */
function answerClientError(socket: Socket, error: ClientError, answer: (error: ClientError) => RawResponse): void {
  const inProgress = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
    socket.destroy();
    return;
  }
  writeAndClose(socket, answer(error));
}

/** A complete HTTP/1.1 response on a connection no request handler owns, then the close. */
function writeAndClose(socket: Socket, { status, headers, body }: RawResponse): void {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${Buffer.byteLength(body)}`, 'connection: close', '', body);
  socket.end(lines.join('\r\n'));
}

/** A port free on loopback right now, for a process that must be told its port before it starts. */
export async function freePort(): Promise<number> {
  const probe = await listen(() => {});
  await probe.close();
  return probe.port;
}

/** The client went away before its request had arrived: there is nobody to answer. */
export class ClientGoneError extends LockstepError {
  constructor() {
    super('the client closed the connection before its request arrived');
  }
}

/**
 * Reads a request body up to `limit` bytes: the body, or `undefined` as soon as it is larger.
 * The rest of a larger body is still read, and dropped: closing a connection whose bytes are
 * unread resets it, and the client may lose the answer (see `sendWhole`). Rejects with
 * ClientGoneError when the client goes away (or the request timeout ends it) first.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      chunks.length = 0;
      resolve(undefined);
    });
    req.once('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    // After 'end' these change nothing: the promise is settled.
    req.once('close', () => reject(new ClientGoneError()));
    req.once('error', () => reject(new ClientGoneError()));
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or `undefined` when it is not valid UTF-8 (never repaired with U+FFFD). A BOM is kept, as bytes are. */
export function decodeUtf8(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

/**
 * Writes a whole answer now, and ends it once the request has arrived whole. The client reads
 * the answer by its content-length while it may still be sending (a 413 comes before the
 * body's end); ending, and on `Connection: close` closing, only after the request's last byte
 * never leaves bytes unread, which would reset the connection and could lose the answer.
 */
export function sendWhole(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: string | Buffer,
): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  if (req.complete || req.destroyed) return void res.end(body);
  res.write(body);
  let ended = false;
  const end = () => {
    if (!ended) res.end();
    ended = true;
  };
  req.once('end', end);
  req.once('close', end);
  req.resume();
}
