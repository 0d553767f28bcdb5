import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIdempotencyTable } from '../../../lib/adapters/dynamodb/table-setup.js';
import { createApiHandler } from '../../../lib/handlers/api-handler.js';
import { bearerTokenAuthenticator } from '../../../lib/handlers/authenticators.js';
import { observationFromStatusEvent } from '../../../lib/handlers/status-observation.js';
import { completeExecution } from '../../../lib/use-cases/complete-execution.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { FaultInjector, sequentialCalls } from '../../support/fault-injector.js';
import { uniqueTarget } from '../../support/lifecycle.js';

/**
 * The admission's critical path: between receiving an admitted request and answering it,
 * at most two service calls in sequence, the lock and StartExecution. Every client the
 * engine has (DynamoDB, Step Functions) is instrumented; a third call of any kind fails
 * this test. Recording Running, the deadline and the domain event happen after the answer.
 */
describe('the admission path through the api handler', () => {
  const calls = new FaultInjector();
  let t: TestEngine;
  let api: ReturnType<typeof createApiHandler>;
  beforeAll(async () => {
    t = await createTestEngine({ faults: calls, deliverEvents: false });
    await ensureIdempotencyTable(t.dynamodb, 'lockstep-idempotency');
    api = createApiHandler({
      engine: t.engine,
      authenticate: bearerTokenAuthenticator('token'),
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: 'lockstep-idempotency', awsSdkV3Client: t.dynamodb }),
    });
  });
  afterAll(() => t.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    api({
      httpMethod: 'POST',
      path: '/executions',
      resource: '/executions',
      headers: { authorization: 'Bearer token', 'content-type': 'application/json', ...headers },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { requestId: crypto.randomUUID() },
    } as unknown as APIGatewayProxyEvent);

  it('makes exactly two calls in sequence for an admitted request: the lock, then StartExecution', async () => {
    const { calls: made, result } = await calls.during(() =>
      post({ targetResource: uniqueTarget(), workflowId: 'noop' }),
    );
    expect(result?.statusCode).toBe(201);
    expect(made).toEqual(['DynamoDB.UpdateItem', 'SFN.StartExecution']);
    expect(sequentialCalls(calls.spans)).toBe(2);
    // The answer is the execution as stored: Pending until the RUNNING event records the start.
    expect(JSON.parse(result!.body)).toMatchObject({ phase: 'Pending' });
  });

  it('records the start after the answer: the RUNNING status event makes it Running', async () => {
    const answer = await post({ targetResource: uniqueTarget(), workflowId: 'wait', parameters: { SECONDS: '600' } });
    const { id } = JSON.parse(answer.body) as { id: string };
    const running = t.events.find((e) => e.detail.status === 'RUNNING' && e.detail.input?.includes(id))!;
    await completeExecution(t.engine, observationFromStatusEvent(running));
    expect((await t.store.getExecution(id))?.execution).toMatchObject({
      phase: 'Running',
      executionRef: { arn: running.detail.executionArn },
    });
  });

  it('a refused request makes two calls too: the lock refused, then the Skipped record', async () => {
    const target = uniqueTarget();
    await post({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } });
    const { calls: made, result } = await calls.during(() => post({ targetResource: target, workflowId: 'noop' }));
    expect(result?.statusCode).toBe(409);
    expect(made).toEqual(['DynamoDB.UpdateItem', 'DynamoDB.PutItem']);
  });

  it('with an Idempotency-Key: the key claimed (Powertools), the lock only while the key has no execution, its token read, the start, the answer kept', async () => {
    const { calls: made, result } = await calls.during(() =>
      post({ targetResource: uniqueTarget(), workflowId: 'noop' }, { 'idempotency-key': crypto.randomUUID() }),
    );
    expect(result?.statusCode).toBe(201);
    expect(made).toEqual([
      'DynamoDB.PutItem',
      'DynamoDB.TransactWriteItems',
      'DynamoDB.GetItem',
      'SFN.StartExecution',
      'DynamoDB.UpdateItem',
    ]);
  });
});
