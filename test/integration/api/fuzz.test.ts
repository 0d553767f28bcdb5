import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIdempotencyTable } from '../../../lib/adapters/dynamodb/table-setup.js';
import { createApiHandler } from '../../../lib/handlers/api-handler.js';
import { bearerTokenAuthenticator } from '../../../lib/handlers/authenticators.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';

const TOKEN = 'fuzz-token';
/** Refusals of bad input: they must leave no trace in DynamoDB. */
const REJECTIONS = new Set([400, 401, 404, 405, 413, 415]);

const segment = fc.oneof(
  fc.string(),
  fc.webSegment(),
  fc.constantFrom('%', '%E0%A4%A', '%2F%2F', 'a%2Fb%2Fc', '..', 'x'.repeat(3000)),
);
const path = fc.oneof(
  fc.constantFrom('/', '/health', '/executions', '/workflows', '/targets', '/executions/'),
  segment.map((s) => `/executions/${s}`),
  segment.map((s) => `/executions/${s}/cancel`),
  segment.map((s) => `/executions/${s}/events`),
  segment.map((s) => `/targets/${s}`),
  segment.map((s) => `/targets/${s}/clearance`),
  fc.string(),
);
const executionBody = fc.record(
  {
    targetResource: fc.oneof(fc.string(), {
      arbitrary: fc.constantFrom('ns/deployment/app', 'node/n1', 'arn:aws:s3:::b'),
      weight: 4,
    }),
    workflowId: fc.oneof({ arbitrary: fc.constantFrom('noop', 'fail', 'nope'), weight: 6 }, fc.string()),
    workflowVersion: fc.oneof({ arbitrary: fc.constant('1'), weight: 4 }, fc.string()),
    parameters: fc.oneof(
      { arbitrary: fc.dictionary(fc.constantFrom('ERROR', 'CAUSE', 'EXTRA'), fc.string()), weight: 4 },
      fc.dictionary(fc.string(), fc.string()),
      fc.anything(),
    ),
    correlationId: fc.string(),
    timeoutSeconds: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 3600 }), weight: 4 },
      fc.integer(),
      fc.double(),
      fc.string(),
    ),
    unexpected: fc.anything(),
  },
  { requiredKeys: ['targetResource', 'workflowId'] },
);
/** Valid requests, so that admissions, skips and their writes are exercised too. */
const plausibleBody = fc.record(
  {
    targetResource: fc.constantFrom('ns/deployment/app', 'node/n1', 'arn:aws:s3:::b'),
    workflowId: fc.constantFrom('noop', 'fail'),
    parameters: fc.dictionary(fc.constantFrom('ERROR', 'CAUSE'), fc.string()),
  },
  { requiredKeys: ['targetResource', 'workflowId'] },
);
// `clearedBy` (refused: the clearer comes from the credentials) and `onBehalfOf` (refused from a non-intermediary) included.
const clearanceBody = fc.record(
  { reason: fc.string(), onBehalfOf: fc.string(), clearedBy: fc.string() },
  { requiredKeys: [] },
);
const body = fc.oneof(
  { arbitrary: fc.constant(null), weight: 3 },
  { arbitrary: fc.string(), weight: 2 },
  { arbitrary: fc.json(), weight: 2 },
  { arbitrary: executionBody.map((b) => JSON.stringify(b)), weight: 4 },
  { arbitrary: plausibleBody.map((b) => JSON.stringify(b)), weight: 6 },
  { arbitrary: clearanceBody.map((b) => JSON.stringify(b)), weight: 2 },
  { arbitrary: fc.constant('x'.repeat(300 * 1024)), weight: 1 },
);
const headers = fc.record(
  {
    authorization: fc.oneof(
      { arbitrary: fc.constant(`Bearer ${TOKEN}`), weight: 8 },
      fc.constant(`bearer ${TOKEN}`),
      fc.string(),
      fc.constant('Bearer '),
    ),
    'content-type': fc.oneof(
      { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 6 },
      fc.constantFrom('text/plain', 'application/xml'),
      fc.string(),
    ),
    'idempotency-key': fc.oneof(fc.string(), { arbitrary: fc.uuid(), weight: 3 }),
  },
  { requiredKeys: ['authorization'] },
);
/** Names that reach Object.prototype when used as keys: every one must be refused, never crash. */
const prototypeName = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  'Constructor',
  'TOSTRING',
);
const headerName = fc.oneof(
  { arbitrary: prototypeName, weight: 2 },
  fc.string({ minLength: 1 }),
  fc.constantFrom('x-amz-date', 'host', 'Idempotency-Key', 'IDEMPOTENCY-KEY'),
);
/** Tokens this engine never issued for the query: made up, truncated, another shape, another query's. */
const pageToken = fc.oneof(
  fc.string(),
  fc.constantFrom('e30=', 'e30', 'W10', 'bnVsbA', '!!', 'x'.repeat(2000)),
  fc.json().map((json) => Buffer.from(json).toString('base64url')),
  fc
    .tuple(fc.constant(1), fc.string(), fc.string(), fc.string())
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url')),
  fc
    .tuple(
      fc.constant(1),
      fc.constantFrom('AAAAAAAAAAAAAAAA'),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.uuid(),
    )
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url')),
);
const queryName = fc.oneof(
  { arbitrary: fc.constantFrom('targetResource', 'limit', 'phase', 'nextToken'), weight: 6 },
  prototypeName,
  fc.string(),
);
const queryValue = fc.oneof(
  fc.string(),
  pageToken,
  fc.constantFrom('ns/deployment/app', 'Running', 'Pending', '0', '1', '100', '101', '-1', '1e400', 'NaN'),
);
// Own properties even for `__proto__`, as API Gateway's JSON and local mode's server deliver them.
const ownEntries = (entries: [string, string][]) => Object.fromEntries(entries);

// Mostly the routes' own methods, so that requests get past routing; sometimes anything.
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), fc.string());
const call = fc.oneof(
  { arbitrary: fc.tuple(fc.constant('POST'), fc.constant('/executions')), weight: 6 },
  { arbitrary: fc.tuple(fc.constant('GET'), path), weight: 4 },
  { arbitrary: fc.tuple(fc.constant('POST'), path), weight: 2 },
  { arbitrary: fc.tuple(method, path), weight: 2 },
);
const event = fc.record({
  call,
  headers: fc.oneof({ arbitrary: headers, weight: 6 }, fc.constant(null), {
    arbitrary: fc
      .tuple(headers, fc.array(fc.tuple(headerName, fc.string()), { maxLength: 3 }))
      .map(([known, extra]) => ownEntries([...Object.entries(known as Record<string, string>), ...extra])),
    weight: 3,
  }),
  // Most calls have no query: only the listing routes take one, and the others refuse any (400).
  queryStringParameters: fc.oneof(
    { arbitrary: fc.constant(null), weight: 10 },
    fc.dictionary(fc.constantFrom('targetResource', 'limit', 'phase', 'nextToken', 'x'), fc.string()),
    fc.array(fc.tuple(queryName, queryValue), { maxLength: 5 }).map(ownEntries),
    {
      arbitrary: fc
        .tuple(fc.constantFrom('ns/deployment/app', 'node/n1'), pageToken)
        .map(([target, token]) => ({ targetResource: target, nextToken: token })),
      weight: 2,
    },
  ),
  body,
  isBase64Encoded: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, fc.constant(true)),
});

describe('the api handler under random input', () => {
  let t: TestEngine;
  let handle: ReturnType<typeof createApiHandler>;
  beforeAll(async () => {
    t = await createTestEngine();
    await ensureIdempotencyTable(t.dynamodb, 'lockstep-idempotency');
    handle = createApiHandler({
      engine: t.engine,
      authenticate: bearerTokenAuthenticator(TOKEN),
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: 'lockstep-idempotency', awsSdkV3Client: t.dynamodb }),
    });
  });
  afterAll(() => t.close());

  it('never throws, never answers 5xx, always answers errors in the error shape, and writes nothing for a rejected request', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(event, async (generated) => {
        await t.settle(); // earlier runs' workflows and events are done: what is metered is this call's
        const mark = t.meter.position();
        const {
          call: [httpMethod, requestPath],
          ...rest
        } = generated;
        const response = await handle({
          ...rest,
          httpMethod,
          path: requestPath,
          requestContext: { requestId: 'fuzz' },
        } as unknown as APIGatewayProxyEvent);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);

        expect(response.statusCode).toBeLessThan(500);
        // HEAD is GET without a body, whatever the status.
        if (httpMethod === 'HEAD') {
          expect(response.body).toBe('');
          return;
        }
        const parsed = JSON.parse(response.body);
        if (response.statusCode >= 400) {
          expect(parsed.error).toEqual(
            expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
          );
          expect(response.body).not.toMatch(/\n\s+at /); // no stack trace
        }
        if (REJECTIONS.has(response.statusCode)) expect(t.meter.since(mark).writes).toBe(0);
      }),
      { numRuns: 600 },
    );
    await t.settle();
    console.log(`fuzz: statuses seen ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The generator reaches past the front door, not only into 400s.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 201, 400, 401, 404, 409]));
    // 600 runs against DynamoDB Local: about 40 s alone, more beside other files. A bound against a hang, not a speed check.
  }, 240_000);

  it('refuses every page token it did not issue for the query with 400, and accepts its own', async () => {
    const target = 'fuzz/deployment/paged';
    for (let i = 0; i < 3; i++) {
      await handle({
        httpMethod: 'POST',
        path: '/executions',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ targetResource: target, workflowId: 'noop' }),
        requestContext: { requestId: 'fuzz' },
      } as unknown as APIGatewayProxyEvent);
      await t.settle();
      t.clock.advanceSeconds(3600);
    }
    const list = (query: Record<string, string>) =>
      handle({
        httpMethod: 'GET',
        path: '/executions',
        headers: { authorization: `Bearer ${TOKEN}` },
        queryStringParameters: query,
        requestContext: { requestId: 'fuzz' },
      } as unknown as APIGatewayProxyEvent);
    const issued = JSON.parse((await list({ targetResource: target, limit: '1' })).body).nextToken as string;
    expect((await list({ targetResource: target, limit: '1', nextToken: issued })).statusCode).toBe(200);

    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          pageToken,
          fc.nat({ max: issued.length - 1 }).map((cut) => issued.slice(0, cut)),
          fc
            .tuple(
              fc.nat({ max: issued.length - 1 }),
              fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
            )
            .map(([at, c]) => issued.slice(0, at) + c + issued.slice(at + 1)),
        ),
        async (token) => {
          fc.pre(token !== issued);
          const response = await list({ targetResource: target, limit: '1', nextToken: token });
          // A one-character change can land on another well-formed token of the same query: that may answer 200, never 5xx.
          expect([200, 400]).toContain(response.statusCode);
          if (response.statusCode === 400)
            expect(JSON.parse(response.body).error).toMatchObject({ code: 'ValidationError' });
        },
      ),
      { numRuns: 300 },
    );
    // Another query's token (another target, another phase) is refused.
    expect((await list({ targetResource: 'fuzz/deployment/other', limit: '1', nextToken: issued })).statusCode).toBe(
      400,
    );
    expect((await list({ targetResource: target, phase: 'Completed', limit: '1', nextToken: issued })).statusCode).toBe(
      400,
    );
  });

  it('hides an unexpected failure behind a 500 that names the request id and nothing else', async () => {
    const logged: Record<string, unknown>[] = [];
    const logger = {
      info: () => {},
      warn: () => {},
      error: (_message: string, attributes: Record<string, unknown>) => void logged.push(attributes),
    };
    const broken = createApiHandler({
      engine: {
        ...t.engine,
        logger,
        store: { ...t.engine.store, getTarget: () => Promise.reject(new Error('secret internals: table xyz is gone')) },
      },
      authenticate: bearerTokenAuthenticator(TOKEN),
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: 'lockstep-idempotency', awsSdkV3Client: t.dynamodb }),
    });

    const response = await broken({
      httpMethod: 'GET',
      path: '/targets/a%2Fb',
      headers: { authorization: `Bearer ${TOKEN}` },
      requestContext: { requestId: 'req-42' },
    } as unknown as APIGatewayProxyEvent);

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'InternalError', message: 'internal error; request id req-42' },
    });
    expect(response.body).not.toContain('secret');
    // The details go to the log, with the request id that the caller was given.
    expect(logged).toEqual([
      expect.objectContaining({
        requestId: 'req-42',
        error: expect.objectContaining({ message: 'secret internals: table xyz is gone', stack: expect.any(String) }),
      }),
    ]);
  });
});
