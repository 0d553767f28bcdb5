import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerApiClient } from '../../../lib/cli/api-client.js';
import { type StatusPageServer, serveStatusPage } from '../../../lib/cli/ui-server.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';
import { type RawExchange, rawExchange, requestHead } from '../../support/raw-http.js';

function expectErrorBody(response: RawExchange, status: number, code: string) {
  expect(response, JSON.stringify(response)).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(response.body)).toMatchObject({ error: { code, message: expect.any(String) } });
}

/** `lockstep ui`'s server (in this process, on local mode's API) at the edges of HTTP. */
describe("lockstep ui's server at the edges of HTTP", () => {
  let t: TestLocalMode;
  let server: StatusPageServer;
  let port: number;
  let session: string;
  const REQUEST_TIMEOUT_MS = 500;
  beforeAll(async () => {
    t = await startTestLocalMode();
    const options = { port: 0, requestTimeoutMs: REQUEST_TIMEOUT_MS };
    server = await serveStatusPage(new BearerApiClient({ baseUrl: t.local.urls.api, token: TEST_TOKEN }), options);
    const url = new URL(server.url);
    port = Number(url.port);
    session = decodeURIComponent(url.hash.replace(/^#token=/, ''));
  });
  afterAll(async () => {
    await server?.close();
    await t?.local.stop();
  });

  const post = (headers: Record<string, string | number>) =>
    requestHead('POST /executions HTTP/1.1', {
      Host: `127.0.0.1:${port}`,
      Authorization: `Bearer ${session}`,
      'Content-Type': 'application/json',
      ...headers,
    });

  it.each(['LOCALHOST', 'LocalHost', 'localhost', '127.0.0.1'])(
    'serves the page and the API under its own name in any case (Host: %s:port)',
    async (name) => {
      const page = await rawExchange(
        port,
        requestHead('GET /ui/ HTTP/1.1', { Host: `${name}:${port}`, Connection: 'close' }),
      );
      expect(page.status, page.body).toBe(200);
      const workflows = await rawExchange(
        port,
        requestHead('GET /workflows HTTP/1.1', {
          Host: `${name}:${port}`,
          Authorization: `Bearer ${session}`,
          Connection: 'close',
        }),
      );
      expect(workflows.status, workflows.body).toBe(200);
    },
  );

  it.each(['evil.example', 'localhost.evil.example', 'EVIL.example'])(
    'still refuses another name (Host: %s:port) with 421',
    async (name) => {
      const response = await rawExchange(
        port,
        requestHead('GET /workflows HTTP/1.1', {
          Host: `${name}:${port}`,
          Authorization: `Bearer ${session}`,
          Connection: 'close',
        }),
      );

      expectErrorBody(response, 421, 'MisdirectedRequest');
    },
  );

  it('answers CONNECT with 405 MethodNotAllowed, then closes', async () => {
    const response = await rawExchange(
      port,
      requestHead('CONNECT example.com:443 HTTP/1.1', { Host: 'example.com:443' }),
      undefined,
      { boundMs: 10_000 },
    );

    expectErrorBody(response, 405, 'MethodNotAllowed');
    expect(response.error).toBeUndefined();
  });

  it('answers a body shorter than its Content-Length with 408 RequestTimeout once the request timeout passes', async () => {
    const response = await rawExchange(port, post({ 'Content-Length': 100 }), Buffer.from('{"targetResource":'), {
      boundMs: 10_000,
    });

    expectErrorBody(response, 408, 'RequestTimeout');
  });

  it('answers a 300 KiB body with 413 PayloadTooLarge that the client reads whole, still sending, before the connection closes', async () => {
    const body = Buffer.alloc(300 * 1024, 'a');

    const response = await rawExchange(port, post({ 'Content-Length': body.length }), body, {
      boundMs: 15_000,
      holdAfter: 280 * 1024,
    });

    expect(response.error, 'the connection ended in an error').toBeUndefined();
    expectErrorBody(response, 413, 'PayloadTooLarge');
  });

  it('answers a body that is not valid UTF-8 with 400 ValidationError instead of passing on a repaired one', async () => {
    const body = Buffer.concat([
      Buffer.from('{"targetResource":"ui-utf8/deployment/x'),
      Buffer.from([0xff]),
      Buffer.from('","workflowId":"noop"}'),
    ]);

    const response = await rawExchange(port, post({ 'Content-Length': body.length, Connection: 'close' }), body);

    expectErrorBody(response, 400, 'ValidationError');
    expect(response.body).toMatch(/UTF-8/);
  });
});
