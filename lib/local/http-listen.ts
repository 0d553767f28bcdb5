import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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

export interface ListenOptions {
  /** The largest request line plus headers the parser accepts, in bytes. Default: Node's, 16 KiB. */
  maxHeaderSize?: number;
  /**
   * The answer to a request the parser refuses (headers over `maxHeaderSize`, malformed,
   * too slow): written as a complete HTTP/1.1 response, then the connection is closed.
   * Default: Node's own, a status line with no body.
   */
  clientErrorResponse?: (error: ClientError) => RawResponse;
}

/** Listens on loopback (port 0 = a free one) and resolves once the port is bound. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0, host = '127.0.0.1', options: ListenOptions = {}): Promise<ListeningServer> {
  const server: Server = createServer({ ...(options.maxHeaderSize !== undefined && { maxHeaderSize: options.maxHeaderSize }) }, handler);
  const answer = options.clientErrorResponse;
  if (answer) server.on('clientError', (error: ClientError, socket: Socket) => answerClientError(socket, error, answer));
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
  const { status, headers, body } = answer(error);
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

/** Reads a request body up to `limit` bytes; `undefined` when it is larger. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
