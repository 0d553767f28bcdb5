import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../lib/api/api-handler.js';
import { bearerTokenAuthenticator } from '../../../lib/api/authenticators.js';
import { ensureIdempotencyTable } from '../../../lib/adapters/dynamodb/table-setup.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';

const TOKEN = 'fuzz-token';
/** Refusals of bad input: they must leave no trace in DynamoDB. */
const REJECTIONS = new Set([400, 401, 404, 405, 413, 415]);

const segment = fc.oneof(fc.string(), fc.webSegment(), fc.constantFrom('%', '%E0%A4%A', '%2F%2F', 'a%2Fb%2Fc', '..', 'x'.repeat(3000)));
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
    targetResource: fc.oneof(fc.string(), { arbitrary: fc.constantFrom('ns/deployment/app', 'node/n1', 'arn:aws:s3:::b'), weight: 4 }),
    workflowId: fc.oneof({ arbitrary: fc.constantFrom('noop', 'fail', 'nope'), weight: 6 }, fc.string()),
    workflowVersion: fc.oneof({ arbitrary: fc.constant('1'), weight: 4 }, fc.string()),
    parameters: fc.oneof({ arbitrary: fc.dictionary(fc.constantFrom('ERROR', 'CAUSE', 'EXTRA'), fc.string()), weight: 4 }, fc.dictionary(fc.string(), fc.string()), fc.anything()),
    correlationId: fc.string(),
    timeoutSeconds: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3600 }), weight: 4 }, fc.integer(), fc.double(), fc.string()),
    unexpected: fc.anything(),
  },
  { requiredKeys: ['targetResource', 'workflowId'] },
);
/** Valid requests, so that admissions, skips and their writes are exercised too. */
const plausibleBody = fc.record(
  { targetResource: fc.constantFrom('ns/deployment/app', 'node/n1', 'arn:aws:s3:::b'), workflowId: fc.constantFrom('noop', 'fail'), parameters: fc.dictionary(fc.constantFrom('ERROR', 'CAUSE'), fc.string()) },
  { requiredKeys: ['targetResource', 'workflowId'] },
);
const clearanceBody = fc.record({ clearedBy: fc.string(), reason: fc.string() }, { requiredKeys: [] });
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
    authorization: fc.oneof({ arbitrary: fc.constant(`Bearer ${TOKEN}`), weight: 8 }, fc.constant(`bearer ${TOKEN}`), fc.string(), fc.constant('Bearer ')),
    'content-type': fc.oneof({ arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 6 }, fc.constantFrom('text/plain', 'application/xml'), fc.string()),
    'idempotency-key': fc.oneof(fc.string(), { arbitrary: fc.uuid(), weight: 3 }),
  },
  { requiredKeys: ['authorization'] },
);
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
  headers: fc.oneof({ arbitrary: headers, weight: 8 }, fc.constant(null)),
  queryStringParameters: fc.oneof(fc.constant(null), fc.dictionary(fc.constantFrom('targetResource', 'limit', 'phase', 'nextToken', 'x'), fc.string()), fc.dictionary(fc.string(), fc.string())),
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
        const { call: [httpMethod, requestPath], ...rest } = generated;
        const response = await handle({ ...rest, httpMethod, path: requestPath, requestContext: { requestId: 'fuzz' } } as unknown as APIGatewayProxyEvent);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);

        expect(response.statusCode).toBeLessThan(500);
        const parsed = JSON.parse(response.body);
        if (response.statusCode >= 400) {
          expect(parsed.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
          expect(response.body).not.toMatch(/\n\s+at /); // no stack trace
        }
        if (REJECTIONS.has(response.statusCode)) expect(t.meter.since(mark).writes).toBe(0);
      }),
      { numRuns: 400 },
    );
    await t.settle();
    console.log(`fuzz: statuses seen ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The generator reaches past the front door, not only into 400s.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 201, 400, 401, 404, 409]));
  });

  it('hides an unexpected failure behind a 500 that names the request id and nothing else', async () => {
    const logged: Record<string, unknown>[] = [];
    const logger = { info: () => {}, warn: () => {}, error: (_message: string, attributes: Record<string, unknown>) => void logged.push(attributes) };
    const broken = createApiHandler({
      engine: { ...t.engine, logger, store: { ...t.engine.store, getTarget: () => Promise.reject(new Error('secret internals: table xyz is gone')) } },
      authenticate: bearerTokenAuthenticator(TOKEN),
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: 'lockstep-idempotency', awsSdkV3Client: t.dynamodb }),
    });

    const response = await broken({ httpMethod: 'GET', path: '/targets/a%2Fb', headers: { authorization: `Bearer ${TOKEN}` }, requestContext: { requestId: 'req-42' } } as unknown as APIGatewayProxyEvent);

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'InternalError', message: 'internal error; request id req-42' } });
    expect(response.body).not.toContain('secret');
    // The details go to the log, with the request id that the caller was given.
    expect(logged).toEqual([expect.objectContaining({ requestId: 'req-42', error: expect.objectContaining({ message: 'secret internals: table xyz is gone', stack: expect.any(String) }) })]);
  });
});
