import { connect } from 'node:net';

/** What came back on one connection, read to its close. */
export interface RawExchange {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The socket error, if the connection ended in one (`ECONNRESET`: the answer may have been lost). */
  error?: string;
  /** How long from the first byte written to the close, in ms. */
  elapsedMs: number;
}

/**
 * Writes `head` and then `body` (in `chunkBytes` pieces, each once the previous one has been
 * handed to the kernel, as a client streaming an upload does) on one connection, and reads
 * everything the server sends until the connection closes, or `boundMs` passes (then it is
 * destroyed and `error` says so). Nothing is parsed for the server: the bytes are as written.
 * With `holdAfter`, the body stops after that many bytes until the server's answer begins, and
 * then goes on: a client still sending its body when the answer comes.
 */
export function rawExchange(
  port: number,
  head: string,
  body: Buffer = Buffer.alloc(0),
  options: { chunkBytes?: number; boundMs?: number; holdAfter?: number } = {},
): Promise<RawExchange> {
  const chunkBytes = options.chunkBytes ?? 16 * 1024;
  const holdAfter = options.holdAfter ?? Number.POSITIVE_INFINITY;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const started = performance.now();
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const bound = setTimeout(() => {
      error = `no close within ${options.boundMs ?? 20_000} ms`;
      socket.destroy();
    }, options.boundMs ?? 20_000);
    let answered: () => void = () => {};
    const answerBegun = new Promise<void>((resolve) => (answered = resolve));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      answered();
    });
    socket.on('error', (failure: NodeJS.ErrnoException) => (error ??= failure.code ?? failure.message));
    socket.on('close', () => {
      clearTimeout(bound);
      const text = Buffer.concat(chunks).toString('utf8');
      const [headPart = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = headPart.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      const body = rest.join('\r\n\r\n');
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: headers['transfer-encoding'] === 'chunked' ? unchunk(body) : body,
        ...(error !== undefined && { error }),
        elapsedMs: performance.now() - started,
      });
    });
    let offset = 0;
    const next = () => {
      if (offset >= body.length || socket.destroyed) return;
      if (offset >= holdAfter && chunks.length === 0) return void answerBegun.then(next);
      const piece = body.subarray(offset, Math.min(offset + chunkBytes, offset < holdAfter ? holdAfter : body.length));
      offset += piece.length;
      socket.write(piece, (failure) => (failure ? undefined : next()));
    };
    socket.write(head, (failure) => (failure ? undefined : next()));
  });
}

/** A request head, CRLF-separated, ending with the blank line. */
export function requestHead(requestLine: string, headers: Record<string, string | number>): string {
  return [requestLine, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');
}

/** The payload of a chunked body. */
export function unchunk(body: string): string {
  let payload = '';
  for (let rest = body; ; ) {
    const lineEnd = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return payload;
    payload += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
