import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureIdempotencyTable } from '../../../lib/adapters/dynamodb/table-setup.js';
import { iamAuthenticator } from '../../../lib/handlers/authenticators.js';
import { searchEventPath } from '../../../lib/runtime/engine-logger.js';
import { apiFunction } from '../../../lib/runtime/functions/api.js';
import { triggerFunction } from '../../../lib/runtime/functions/trigger.js';
import { lambdaHandler } from '../../../lib/runtime/handler-factory.js';
import { apiGatewayPost } from '../../support/api-gateway-event.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { until } from '../../support/wait.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'logs-token-0123456789';

type LogLine = Record<string, unknown> & { level: string; message: string };

/** The structured lines of a stream: every line that parses as a JSON object with a level and a message. */
function logLines(text: string): LogLine[] {
  return text.split('\n').flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as unknown;
      return parsed && typeof parsed === 'object' && 'level' in parsed && 'message' in parsed
        ? [parsed as LogLine]
        : [];
    } catch {
      return [];
    }
  });
}

/**
 * Local mode as a user runs it (its own process, the script `npm start` runs), read the way
 * its guide says: structured logs on standard output, progress on standard error.
 */
describe("local mode's logs, as its guide (docs/local-mode.md) says", () => {
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let api: string;
  let events: EventBridgeClient;
  beforeAll(async () => {
    const env = {
      ...process.env,
      PORT: '0',
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      LOCKSTEP_TABLE_NAME: `lockstep-logs-${randomUUID()}`,
      LOCKSTEP_TOKEN: TOKEN,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await until(
      () => (/^Token: +\S+/m.test(stdout) ? true : undefined),
      60_000,
      `the endpoint lines\n${stdout}\n${stderr}`,
    );
    api = /^API: +(\S+)$/m.exec(stdout)![1]!;
    // Signed as the guide's AWS CLI example signs: any key id, the local token as the secret.
    events = new EventBridgeClient({
      endpoint: /^EventBridge: +(\S+)/m.exec(stdout)![1]!,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: TOKEN },
    });
  });
  afterAll(async () => {
    events?.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  async function put(entry: PutEventsRequestEntry): Promise<string> {
    const answer = await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'lockstep', DetailType: 'WorkflowExecution Requested', ...entry }],
      }),
    );
    expect(answer.FailedEntryCount).toBe(0);
    return answer.Entries![0]!.EventId!;
  }

  /** The log line about event `eventId`, once local mode has written it. */
  const lineAbout = (eventId: string) =>
    until(
      () => logLines(stdout).find((line) => line.eventId === eventId),
      20_000,
      `a log line with eventId ${eventId}\n${stdout}`,
    );

  it('writes error lines on standard output with the others, and none on standard error', async () => {
    const eventId = await put({
      Source: 'test.logs',
      Detail: JSON.stringify({ targetResource: 'logs/deployment/app' }),
    });

    const line = await lineAbout(eventId);

    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'WorkflowExecution Requested event rejected',
      service: 'lockstep',
    });
    expect(logLines(stderr), stderr).toEqual([]);
    // Standard error holds progress, and nothing else.
    expect(
      stderr
        .trimEnd()
        .split('\n')
        .filter((text) => !text.startsWith('lockstep: ')),
      stderr,
    ).toEqual([]);
  });

  it('logs what each event did: its id, the execution it made and its phase, or why it was skipped', async () => {
    const target = `logs-${randomUUID().slice(0, 8)}/deployment/app`;
    const started = await put({
      Source: 'test.logs',
      Detail: JSON.stringify({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } }),
    });
    const startedLine = await lineAbout(started);
    expect(startedLine).toMatchObject({
      level: 'INFO',
      source: 'test.logs',
      executionId: expect.any(String),
      targetResource: target,
      phase: expect.stringMatching(/^(Pending|Running)$/),
    });

    const skipped = await put({
      Source: 'test.logs',
      Detail: JSON.stringify({ targetResource: target, workflowId: 'noop' }),
    });
    const skippedLine = await lineAbout(skipped);
    expect(skippedLine).toMatchObject({
      source: 'test.logs',
      executionId: expect.any(String),
      targetResource: target,
      phase: 'Skipped',
      skipReason: 'ResourceBusy',
    });
    expect(skippedLine.executionId).not.toBe(startedLine.executionId);
  });

  it("runs the local-mode guide's curl example and then its EventBridge example without the event being skipped", async () => {
    const guide = readFileSync(`${root}docs/local-mode.md`, 'utf8');
    const curl = /-H "Idempotency-Key: ([^"]+)" \$API\/executions \\\n\s+-d '([^']+)'/.exec(guide);
    const entries = /events put-events --entries '(\[[\s\S]*?\])'/.exec(guide);
    expect(curl, 'the curl example of POST /executions').not.toBeNull();
    expect(entries, 'the put-events example').not.toBeNull();
    const created = await fetch(`${api}/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': curl![1]! },
      body: curl![2]!,
    });
    expect(created.status).toBe(201);

    const [entry] = JSON.parse(entries![1]!) as PutEventsRequestEntry[];
    const line = await lineAbout(await put(entry!));

    expect(line).toMatchObject({
      executionId: expect.any(String),
      phase: expect.stringMatching(/^(Pending|Running|Completed)$/),
    });
  });
});

/** A Powertools Logger as the Lambda functions' (same options), whose lines go to an array instead of standard output. */
class BufferLogger extends Logger {
  constructor(
    readonly lines: LogLine[],
    options: ConstructorOptions = { serviceName: 'lockstep', correlationIdSearchFn: searchEventPath, logLevel: 'INFO' },
  ) {
    super(options);
  }
  protected override printLog(_logLevel: number, log: LogItem): void {
    this.lines.push(JSON.parse(JSON.stringify(log.getAttributes())) as LogLine);
  }
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new BufferLogger(this.lines, options);
  }
}

/** The context the Lambda runtime hands a function's handler. */
function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/12/07/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

const keysOf = (line: LogLine) => Object.keys(line).sort();

/**
 * The same request and the same event, once through local mode (its own process, its standard
 * output) and once through the Lambda functions' handlers as the factory builds them (a real
 * event shape, a Lambda context, the Lambda functions' Logger writing to a buffer): the lines
 * they produce carry the same keys.
 */
describe("local mode's log lines carry the Lambda functions' keys", () => {
  let child: ChildProcess;
  let stdout = '';
  let api: string;
  let events: EventBridgeClient;
  let t: TestEngine;
  const lambdaLines: LogLine[] = [];
  beforeAll(async () => {
    const env = {
      ...process.env,
      PORT: '0',
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      LOCKSTEP_TABLE_NAME: `lockstep-log-keys-${randomUUID()}`,
      LOCKSTEP_TOKEN: TOKEN,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    await until(() => (/^Token: +\S+/m.test(stdout) ? true : undefined), 60_000, `the endpoint lines\n${stdout}`);
    api = /^API: +(\S+)$/m.exec(stdout)![1]!;
    events = new EventBridgeClient({
      endpoint: /^EventBridge: +(\S+)/m.exec(stdout)![1]!,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: TOKEN },
    });
    t = await createTestEngine();
    await ensureIdempotencyTable(t.dynamodb, 'lockstep-log-keys-idempotency');
  });
  afterAll(async () => {
    events?.destroy();
    // Its runs (a 600 s wait among them) end with it.
    await t?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  const lambdaParts = () => ({
    engine: t.engine,
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: 'lockstep-log-keys-idempotency',
      awsSdkV3Client: t.dynamodb,
    }),
  });
  const localLine = (find: (line: LogLine) => boolean, what: string) =>
    until(() => logLines(stdout).find(find), 20_000, `${what}\n${stdout}`);

  it('on a request: the lines of a POST /executions that is skipped', async () => {
    const body = (target: string, workflowId: string) => ({
      targetResource: target,
      workflowId,
      correlationId: 'rr-keys',
      ...(workflowId === 'wait' && { parameters: { SECONDS: '600' } }),
    });
    const localTarget = `keys-${randomUUID().slice(0, 8)}/deployment/app`;
    for (const [workflowId, status] of [
      ['wait', 201],
      ['noop', 409],
    ] as const) {
      const answer = await fetch(`${api}/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body(localTarget, workflowId)),
      });
      expect(answer.status).toBe(status);
    }
    const handler = lambdaHandler(
      apiFunction({ ...lambdaParts(), authenticate: iamAuthenticator() }),
      new BufferLogger(lambdaLines),
    );
    const lambdaTarget = `keys-${randomUUID().slice(0, 8)}/deployment/app`;
    expect((await handler(apiGatewayPost(body(lambdaTarget, 'wait')), lambdaContext('lockstep-Api'))).statusCode).toBe(
      201,
    );
    expect((await handler(apiGatewayPost(body(lambdaTarget, 'noop')), lambdaContext('lockstep-Api'))).statusCode).toBe(
      409,
    );

    const skipped = (target: string) => (line: LogLine) =>
      line.message === 'execution Skipped' && line.targetResource === target;
    const local = await localLine(skipped(localTarget), "local mode's execution Skipped line");
    const lambda = lambdaLines.find(skipped(lambdaTarget));

    expect(lambda, JSON.stringify(lambdaLines)).toBeDefined();
    expect(keysOf(local)).toEqual(keysOf(lambda!));
    expect(keysOf(local)).toEqual(
      expect.arrayContaining(['executionId', 'targetResource', 'correlationId', 'correlation_id', 'function_name']),
    );
    expect(local).toMatchObject({ function_name: 'lockstep-api', correlationId: 'rr-keys' });
  });

  it('on an event: the line of a WorkflowExecution Requested event', async () => {
    const detail = (target: string) => ({ targetResource: target, workflowId: 'noop', correlationId: 'alert-keys' });
    const localTarget = `keys-${randomUUID().slice(0, 8)}/deployment/app`;
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'lockstep',
            DetailType: 'WorkflowExecution Requested',
            Source: 'test.log-keys',
            Detail: JSON.stringify(detail(localTarget)),
          },
        ],
      }),
    );
    const eventId = put.Entries![0]!.EventId!;
    const lambdaTarget = `keys-${randomUUID().slice(0, 8)}/deployment/app`;
    const event: EventBridgeEvent<string, unknown> = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'WorkflowExecution Requested',
      source: 'test.log-keys',
      account: '123456789012',
      time: '2026-12-07T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: detail(lambdaTarget),
    };
    await lambdaHandler(triggerFunction(lambdaParts()), new BufferLogger(lambdaLines))(
      event,
      lambdaContext('lockstep-Trigger'),
    );

    const local = await localLine((line) => line.eventId === eventId, `local mode's line about event ${eventId}`);
    const lambda = lambdaLines.find((line) => line.eventId === event.id);

    expect(lambda, JSON.stringify(lambdaLines)).toBeDefined();
    expect(keysOf(local)).toEqual(keysOf(lambda!));
    expect(local).toMatchObject({
      correlation_id: eventId,
      correlationId: 'alert-keys',
      function_name: 'lockstep-trigger',
    });
    expect(lambda).toMatchObject({ correlation_id: event.id, correlationId: 'alert-keys' });
  });
});
