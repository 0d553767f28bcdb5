import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../lib/handlers/api-handler.js';
import { bearerTokenAuthenticator } from '../../../lib/handlers/authenticators.js';
import { startApiServer } from '../../../lib/local/api-server.js';
import type { ListeningServer } from '../../../lib/local/http-listen.js';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';
import { type RawExchange, rawExchange, requestHead } from '../../support/raw-http.js';

/** API.md's error body, with a JSON content type. */
function expectErrorBody(response: RawExchange, status: number, code: string) {
  expect(response, JSON.stringify(response)).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(response.body)).toEqual({
    error: {
      code,
      message: expect.any(String),
      ...(JSON.parse(response.body).error.details && { details: expect.any(Array) }),
    },
  });
}

const portOf = (url: string) => Number(new URL(url).port);

/** Local mode's HTTP server at the edges of HTTP: every request gets an answer, in bounded time, that the client can read. */
describe("local mode's API server at the edges of HTTP", () => {
  let t: TestLocalMode;
  /** The same server on the same engine, with a request timeout a test can wait for. */
  let quick: ListeningServer;
  const REQUEST_TIMEOUT_MS = 500;
  beforeAll(async () => {
    t = await startTestLocalMode();
    const handler = createApiHandler({
      engine: t.local.runtime.engine,
      authenticate: bearerTokenAuthenticator(TEST_TOKEN),
      idempotencyStore: t.local.runtime.idempotencyStore,
    });
    const options = { logger: t.local.runtime.logger, clock: systemClock, requestTimeoutMs: REQUEST_TIMEOUT_MS };
    quick = await startApiServer(handler, options);
  });
  afterAll(async () => {
    await quick?.close();
    await t?.local.stop();
  });

  it.each([
    ['a host and port', 'CONNECT example.com:443 HTTP/1.1', 'example.com:443'],
    ['its own address', 'CONNECT 127.0.0.1:3000 HTTP/1.1', '127.0.0.1:3000'],
  ])(
    'answers CONNECT to %s with 405 MethodNotAllowed and the error body, then closes',
    async (_, requestLine, host) => {
      const response = await rawExchange(
        portOf(t.local.urls.api),
        requestHead(requestLine, { Host: host }),
        undefined,
        { boundMs: 10_000 },
      );

      expectErrorBody(response, 405, 'MethodNotAllowed');
      expect(response.error).toBeUndefined();
    },
  );

  it.each([
    ['a body shorter than its Content-Length', { 'Content-Length': 100 }, '{"targetResource":'],
    ['a chunked body that never ends', { 'Transfer-Encoding': 'chunked' }, '5\r\n{"tar\r\n'],
  ])('answers %s with 408 RequestTimeout once the request timeout passes', async (_, framing, sent) => {
    const head = requestHead('POST /executions HTTP/1.1', {
      Host: 'localhost',
      Authorization: `Bearer ${TEST_TOKEN}`,
      'Content-Type': 'application/json',
      ...framing,
    });

    const response = await rawExchange(quick.port, head, Buffer.from(sent), { boundMs: 10_000 });

    expectErrorBody(response, 408, 'RequestTimeout');
    expect(response.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
  });

  it.each([
    ['kept alive', {}],
    ['Connection: close', { Connection: 'close' }],
  ])(
    'answers a 300 KiB body with 413 PayloadTooLarge that the client reads whole, still sending, before the connection closes (%s)',
    async (_, connection) => {
      const body = Buffer.alloc(300 * 1024, 'a');
      const head = requestHead('POST /executions HTTP/1.1', {
        Host: 'localhost',
        Authorization: `Bearer ${TEST_TOKEN}`,
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        ...connection,
      });

      // Past the limit, the client is still sending when the answer begins; then it sends the rest.
      const response = await rawExchange(portOf(t.local.urls.api), head, body, {
        boundMs: 15_000,
        holdAfter: 280 * 1024,
      });

      expect(response.error, 'the connection ended in an error').toBeUndefined();
      expectErrorBody(response, 413, 'PayloadTooLarge');
    },
  );

  it('answers a local EventBridge call over its size limit with 413 that the client reads whole before the connection closes', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024 + 64 * 1024, 'a');
    const head = requestHead('POST / HTTP/1.1', {
      Host: 'localhost',
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSEvents.PutEvents',
      'Content-Length': body.length,
      Connection: 'close',
    });

    const response = await rawExchange(portOf(t.local.urls.eventbridge), head, body, {
      boundMs: 15_000,
      holdAfter: 2 * 1024 * 1024 + 16 * 1024,
    });

    expect(response.error, 'the connection ended in an error').toBeUndefined();
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'ValidationException' });
  });

  it.each([
    ['a lone 0xFF byte', [0xff]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a continuation byte alone', [0x80]],
  ])('answers a body that is not valid UTF-8 (%s) with 400 ValidationError, never repairing it', async (_, bytes) => {
    const body = Buffer.concat([
      Buffer.from('{"targetResource":"utf8/deployment/x'),
      Buffer.from(bytes),
      Buffer.from('","workflowId":"noop"}'),
    ]);
    const head = requestHead('POST /executions HTTP/1.1', {
      Host: 'localhost',
      Authorization: `Bearer ${TEST_TOKEN}`,
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      Connection: 'close',
    });

    const response = await rawExchange(portOf(t.local.urls.api), head, body);

    expectErrorBody(response, 400, 'ValidationError');
    expect(response.body).toMatch(/UTF-8/);
    // Nothing was admitted under the repaired name either.
    const repaired = `utf8/deployment/x${Buffer.from(bytes).toString('utf8')}`;
    expect((await t.call('GET', `/executions?targetResource=${encodeURIComponent(repaired)}`)).body.items).toEqual([]);
  });

  const INVALID_UTF8 = [
    ['a lone 0xFF byte', '%FF'],
    ['a truncated sequence', '%E2%82'],
    ['a lead byte before an ASCII byte', '%C3%28'],
    ['an overlong encoding of "/"', '%C0%AF'],
    ['an encoded surrogate', '%ED%A0%80'],
    ['a continuation byte alone', '%80'],
    ['a code point above U+10FFFF', '%F4%90%80%80'],
  ];
  const get = (pathAndQuery: string) =>
    rawExchange(
      portOf(t.local.urls.api),
      requestHead(`GET ${pathAndQuery} HTTP/1.1`, {
        Host: 'localhost',
        Authorization: `Bearer ${TEST_TOKEN}`,
        Connection: 'close',
      }),
    );

  it.each(INVALID_UTF8)(
    'answers a query value that is not UTF-8 once percent-decoded (%s) with 400 naming the parameter, never repairing it',
    async (_, bytes) => {
      // What a repair would read: a target that exists, with an execution to list.
      const kind = `nu-${crypto.randomUUID().slice(0, 8)}`;
      const repaired = `${kind}/a${Buffer.from(
        bytes
          .split('%')
          .slice(1)
          .map((hex) => parseInt(hex, 16)),
      ).toString('utf8')}`;
      expect(
        (await t.call('POST', '/executions', { body: { targetResource: repaired, workflowId: 'noop' } })).status,
      ).toBe(201);

      const response = await get(`/executions?limit=5&targetResource=${kind}%2Fa${bytes}`);

      expectErrorBody(response, 400, 'ValidationError');
      expect(JSON.parse(response.body).error.details).toEqual([
        expect.stringMatching(/^query\.targetResource: .*UTF-8/),
      ]);
    },
  );

  it.each(INVALID_UTF8)(
    'answers a query parameter name that is not UTF-8 once percent-decoded (%s) with 400 naming it',
    async (_, bytes) => {
      const response = await get(`/executions?targetResource=nu%2Fa&x${bytes}=1`);

      expectErrorBody(response, 400, 'ValidationError');
      expect(JSON.parse(response.body).error.details).toEqual([
        expect.stringMatching(new RegExp(`^query: .*x${bytes}.*UTF-8`)),
      ]);
    },
  );

  it('still reads query names and values of valid UTF-8 in any script', async () => {
    const target = 'utf8q/deployment/café-中-🚀-ключ';
    expect((await t.call('POST', '/executions', { body: { targetResource: target, workflowId: 'noop' } })).status).toBe(
      201,
    );

    const listed = await get(`/executions?targetResource=${encodeURIComponent(target)}`);
    const unknown = await get(
      `/executions?targetResource=${encodeURIComponent(target)}&${encodeURIComponent('ключ')}=${encodeURIComponent('значение')}`,
    );

    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.body).items).toEqual([expect.objectContaining({ targetResource: target })]);
    expectErrorBody(unknown, 400, 'ValidationError');
    expect(JSON.parse(unknown.body).error.details.join()).toContain('ключ');
  });

  it('still reads a body of valid UTF-8 in any script', async () => {
    const created = await t.call('POST', '/executions', {
      body: { targetResource: 'utf8/deployment/café-中-🚀', workflowId: 'noop' },
    });

    expect(created.status).toBe(201);
    expect(created.body.targetResource).toBe('utf8/deployment/café-中-🚀');
  });
});
