import { connect } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';
import { unchunk } from '../../support/raw-http.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` as written (fetch refuses some of these inputs) and reads the whole answer; the server closes the connection. */
function raw(url: string, request: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
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
      });
    });
    socket.write(request);
  });
}

const get = (path: string, headers: string[] = []) =>
  [`GET ${path} HTTP/1.1`, 'Host: localhost', 'Connection: close', ...headers, '', ''].join('\r\n');
/** An AWS JSON protocol request, signed with the token as the local endpoints require. */
async function awsCall(target: string, body = '{}'): Promise<string> {
  const headers = {
    host: 'localhost',
    'x-amz-target': target,
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(body)),
  };
  const signer = new SignatureV4({
    service: target.startsWith('AWSEvents.') ? 'events' : 'states',
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: TEST_TOKEN },
    sha256: Sha256,
  });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: 'localhost', path: '/', headers, body },
    { signingDate: systemClock.now() },
  );
  const lines = Object.entries(signed.headers).map(([name, value]) => `${name}: ${value}`);
  return ['POST / HTTP/1.1', 'Connection: close', ...lines, '', body].join('\r\n');
}

/** The error body of API.md, with a JSON content type. */
function expectErrorBody(response: RawResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const { error } = JSON.parse(response.body);
  expect(error).toMatchObject({ code, message: expect.any(String) });
  expect(Object.keys(error).filter((key) => !['code', 'message', 'details'].includes(key))).toEqual([]);
}

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

/**
 * What the api handler answers a request with such names: today 400 ValidationError (its
 * own rule, on every route); the server around it must only never turn them into a 500.
 */
function expectHealthOrRefusal(response: RawResponse) {
  expect(response.status).toBeLessThan(500);
  if (response.status === 200) expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  else expectErrorBody(response, 400, 'ValidationError');
}

describe('the local front door answers odd input with 4xx and the error body, never a 500', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    t = await startTestLocalMode();
  });
  afterAll(() => t.local.stop());

  describe('query parameter and header names like Object.prototype members', () => {
    it.each(PROTOTYPE_NAMES)('answers GET /health?%s=1 without a 5xx', async (name) => {
      expectHealthOrRefusal(await raw(t.local.urls.api, get(`/health?${name}=1`)));
    });

    it('answers GET /health with headers named __proto__, constructor, toString and hasOwnProperty without a 5xx', async () => {
      expectHealthOrRefusal(
        await raw(
          t.local.urls.api,
          get('/health', ['__proto__: x', 'constructor: y', 'toString: z', 'hasOwnProperty: w', 'constructor: again']),
        ),
      );
    });

    it('never answers 5xx on an authenticated route with such headers', async () => {
      const response = await raw(
        t.local.urls.api,
        get('/workflows', [`Authorization: Bearer ${TEST_TOKEN}`, '__proto__: x', 'constructor: y', 'toString: z']),
      );

      expect(response.status).toBeLessThan(500);
    });
  });

  describe('requests too large for the parser', () => {
    it('answers a 17 KB URL with a 4xx and the JSON error body', async () => {
      const response = await raw(t.local.urls.api, get(`/health?pad=${'a'.repeat(17 * 1024)}`));

      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(response.body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    });

    it('answers 20 KB of headers with 431 RequestHeaderFieldsTooLarge', async () => {
      const headers = Array.from({ length: 20 }, (_, i) => `X-Pad-${i}: ${'b'.repeat(1024)}`);

      expectErrorBody(await raw(t.local.urls.api, get('/health', headers)), 431, 'RequestHeaderFieldsTooLarge');
    });

    it('answers a URL over 8 KiB with 414 UriTooLong', async () => {
      expectErrorBody(await raw(t.local.urls.api, get(`/health?pad=${'a'.repeat(9 * 1024)}`)), 414, 'UriTooLong');
    });

    it('answers a malformed request with 400 ValidationError', async () => {
      expectErrorBody(
        await raw(t.local.urls.api, 'GET /health HTTP/1.1\r\nHost: localhost\r\nBad Header Name: x\r\n\r\n'),
        400,
        'ValidationError',
      );
    });
  });

  describe('the local AWS endpoints', () => {
    it.each([
      ['stepfunctions', 'AWSStepFunctions.constructor'],
      ['stepfunctions', 'AWSStepFunctions.__proto__'],
      ['stepfunctions', 'AWSStepFunctions.toString'],
      ['eventbridge', 'AWSEvents.__proto__'],
      ['eventbridge', 'AWSEvents.hasOwnProperty'],
    ] as const)(
      'answer X-Amz-Target of a prototype member (%s, %s) with 400 UnknownOperationException',
      async (endpoint, target) => {
        const response = await raw(t.local.urls[endpoint], await awsCall(target));

        expect(response.status).toBe(400);
        expect(JSON.parse(response.body)).toMatchObject({ __type: 'UnknownOperationException' });
      },
    );

    it.each(['null', '[]', '"text"', '7'])('answer a JSON body that is not an object (%s) with 400', async (body) => {
      const response = await raw(t.local.urls.stepfunctions, await awsCall('AWSStepFunctions.DescribeExecution', body));

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({
        __type: expect.stringMatching(/SerializationException|ValidationException/),
      });
    });

    it.each([
      ['an entry that is not an object', { Entries: [null] }],
      ['an unparseable Time', { Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', Time: 'not a time' }] }],
      [
        'a bus name that is not a string',
        { Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 7 }] },
      ],
    ])('answer PutEvents with %s without a 500', async (_label, body) => {
      const response = await raw(t.local.urls.eventbridge, await awsCall('AWSEvents.PutEvents', JSON.stringify(body)));

      expect(response.status).toBeLessThan(500);
    });
  });
});
