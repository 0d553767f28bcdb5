// The admission through the api handler: which calls it makes in sequence, and how long it
// takes against a bare conditional UpdateItem on the same table, unloaded and contended.
import { randomUUID } from 'node:crypto';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DeadlineSchedules } from '../lib/adapters/scheduler/deadline-schedules.js';
import { DEFAULT_IDEMPOTENCY_TABLE_NAME } from '../lib/contract/table.js';
import { createApiHandler } from '../lib/handlers/api-handler.js';
import { bearerTokenAuthenticator } from '../lib/handlers/authenticators.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../lib/local/dynamodb-local.js';
import type { LocalMode } from '../lib/local/local-mode.js';
import { buildRuntime } from '../lib/runtime/runtime.js';
import { CallTrace, describeCalls, sequentialCalls } from './call-trace.js';
import {
  type ApiHandler,
  BENCH_TOKEN,
  type Distribution,
  distribution,
  median,
  pool,
  postExecution,
  round,
  say,
  within,
} from './support.js';

/** Waits until local mode has nothing in flight: runs settled, events delivered, the stream published. */
export async function quiesce(local: LocalMode, ms = 60_000): Promise<void> {
  await within(
    ms,
    'local mode going idle',
    (async () => {
      await local.stepFunctions.idle();
      await local.bus.idle();
      await local.streamReader.idle();
      await local.bus.idle();
    })(),
  );
}

/** The api handler over local mode's own engine (its clients, its idempotency store), as the api function builds it. */
export function apiHandlerOf(local: LocalMode): ApiHandler {
  return createApiHandler({
    engine: local.runtime.engine,
    authenticate: bearerTokenAuthenticator(BENCH_TOKEN),
    idempotencyStore: local.runtime.idempotencyStore,
  });
}

export interface RequestCalls {
  status: number;
  phase: string;
  sequentialCalls: number;
  calls: ReturnType<typeof describeCalls>;
}

/**
 * One admitted request without Idempotency-Key and one with, each on a fresh target, through
 * an api handler over an engine of its own: built by `buildRuntime` on local mode's endpoints,
 * with deadline schedules on AWS's Scheduler as the api function has them (that client answers
 * from the benchmark: local mode has no Scheduler). Every call of its DynamoDB, Step Functions
 * and Scheduler clients is recorded; nothing else uses them, and the runs it starts are
 * recorded Running and Completed by local mode's own status handler.
 */
export async function measureAdmissionCalls(
  local: LocalMode,
  tableName: string,
): Promise<{ unkeyed: RequestCalls; keyed: RequestCalls; warmUnkeyed: RequestCalls; clients: string[] }> {
  const sfn = new SFNClient({
    endpoint: local.urls.stepfunctions,
    region: LOCAL_REGION,
    credentials: local.credentials,
  });
  const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
  sfn.destroy();
  const scheduler = new SchedulerClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const trace = new CallTrace().attach(scheduler, 'Scheduler', () => ({
    ScheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/bench/bench',
  }));
  const runtime = buildRuntime(
    {
      region: LOCAL_REGION,
      credentials: local.credentials,
      tableName,
      idempotencyTableName: DEFAULT_IDEMPOTENCY_TABLE_NAME,
      stateMachineArns: Object.fromEntries((stateMachines ?? []).map((m) => [m.name!, m.stateMachineArn!])),
      catalog: local.runtime.engine.catalog,
      policy: local.runtime.engine.policy,
      endpoints: { dynamodb: local.urls.dynamodb, stepfunctions: local.urls.stepfunctions },
      logger: local.runtime.logger,
      writeMetrics: () => {},
      deadlines: new DeadlineSchedules({
        client: scheduler,
        groupName: 'lockstep-deadlines',
        targetArn: 'arn:aws:events:us-east-1:000000000000:event-bus/lockstep',
        roleArn: 'arn:aws:iam::000000000000:role/bench',
      }),
    },
    { idempotency: DynamoDBPersistenceLayer },
  );
  trace.attach(runtime.clients.dynamodb, 'DynamoDB').attach(runtime.clients.stepfunctions, 'StepFunctions');
  const api = createApiHandler({
    engine: runtime.engine,
    authenticate: bearerTokenAuthenticator(BENCH_TOKEN),
    idempotencyStore: runtime.idempotencyStore,
  });
  const one = async (idempotencyKey?: string): Promise<RequestCalls> => {
    const target = `bench/deployment/calls-${randomUUID().slice(0, 8)}`;
    const { result, calls } = await trace.during(() =>
      postExecution(
        api,
        { targetResource: target, workflowId: 'noop' },
        { requestId: randomUUID(), ...(idempotencyKey && { idempotencyKey }) },
      ),
    );
    return {
      status: result.statusCode,
      phase: String((JSON.parse(result.body) as { phase?: string }).phase),
      sequentialCalls: sequentialCalls(calls),
      calls: describeCalls(calls),
    };
  };
  try {
    // The first request of a fresh engine (a Lambda's first invocation), then the same once warm.
    const unkeyed = await one();
    const warmUnkeyed = await one();
    const keyed = await one(randomUUID());
    return {
      unkeyed,
      warmUnkeyed,
      keyed,
      clients: ['DynamoDB', 'StepFunctions', 'Scheduler (answered by the benchmark: local mode has none)'],
    };
  } finally {
    await quiesce(local);
    runtime.destroy();
    scheduler.destroy();
  }
}

/** A bare conditional UpdateItem on the table: the one write an admission cannot do without. */
function bareWrite(doc: DynamoDBDocumentClient, tableName: string, key: string) {
  return doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { PK: `BENCH#${key}`, SK: 'BARE' },
      UpdateExpression: 'SET n = if_not_exists(n, :zero) + :one',
      ConditionExpression: 'attribute_not_exists(holder)',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
    }),
  );
}

export interface UnloadedAdmission {
  pairs: number;
  warmUpPairs: number;
  concurrency: 1;
  admitted: Distribution;
  bareConditionalUpdate: Distribution;
  admittedP50OverBareP50: number;
}

/**
 * Concurrency 1, nothing else running: each round times one bare conditional UpdateItem (a
 * fresh item) and one admission through the api handler (a fresh target, so it is admitted),
 * then waits until the run it started has completed and its events are published, so that no
 * sample shares the two cores with the emulators' work. Admission = UpdateItem + StartExecution
 * answered by local mode's in-process Step Functions endpoint.
 */
export async function measureUnloaded(
  local: LocalMode,
  api: ApiHandler,
  doc: DynamoDBDocumentClient,
  tableName: string,
  pairs: number,
  warmUpPairs: number,
): Promise<UnloadedAdmission> {
  const admitted: number[] = [];
  const bare: number[] = [];
  const run = randomUUID().slice(0, 8);
  await quiesce(local);
  for (let i = 0; i < warmUpPairs + pairs; i++) {
    let t0 = performance.now();
    await bareWrite(doc, tableName, `unloaded-${run}-${i}`);
    const bareMs = performance.now() - t0;
    t0 = performance.now();
    const response = await postExecution(
      api,
      { targetResource: `bench/deployment/unloaded-${run}-${i}`, workflowId: 'noop' },
      { requestId: `u${i}` },
    );
    const admittedMs = performance.now() - t0;
    if (response.statusCode !== 201)
      throw new Error(`an admission on a fresh target answered ${response.statusCode}: ${response.body}`);
    if (i >= warmUpPairs) {
      bare.push(bareMs);
      admitted.push(admittedMs);
    }
    await quiesce(local);
    if ((i + 1) % 50 === 0)
      say(`  ${i + 1}/${warmUpPairs + pairs} (admitted p50 so far ${median(admitted)} ms, bare ${median(bare)} ms)`);
  }
  return {
    pairs,
    warmUpPairs,
    concurrency: 1,
    admitted: distribution(admitted),
    bareConditionalUpdate: distribution(bare),
    admittedP50OverBareP50: round(median(admitted) / median(bare)),
  };
}

export interface ContendedAdmission {
  requests: number;
  targets: number;
  concurrency: number;
  requestsPerSecond: number;
  admitted: Distribution;
  skipped: Distribution;
  bareConditionalUpdate: Distribution & { opsPerSecond: number };
  admittedP50OverBareP50: number;
  skippedP50OverBareP50: number;
}

/**
 * Concurrency 32 on 50 targets: the first request on each target is admitted, the rest find it
 * held or cooling down and are skipped (refused write + Skipped record). The admitted runs
 * execute meanwhile, so the emulators share the cores: these figures include their load.
 */
export async function measureContended(
  local: LocalMode,
  api: ApiHandler,
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<ContendedAdmission> {
  const requests = 2000;
  const concurrency = 32;
  const run = randomUUID().slice(0, 8);
  const targets = Array.from({ length: 50 }, (_, i) => `bench/deployment/contended-${run}-${i}`);
  await quiesce(local);
  const admissionStart = performance.now();
  const admissions = await pool(requests, concurrency, async (i) => {
    const t0 = performance.now();
    const response = await postExecution(
      api,
      { targetResource: targets[i % targets.length]!, workflowId: 'noop' },
      { requestId: `c${i}` },
    );
    return { status: response.statusCode, ms: performance.now() - t0 };
  });
  const admissionSeconds = (performance.now() - admissionStart) / 1000;
  await quiesce(local);
  say(
    `  bare conditional UpdateItem on the same table: ${requests.toLocaleString('en-US')} over 50 items at concurrency ${concurrency}`,
  );
  const bareStart = performance.now();
  const bare = await pool(requests, concurrency, async (i) => {
    const t0 = performance.now();
    await bareWrite(doc, tableName, `contended-${run}-${i % 50}`);
    return performance.now() - t0;
  });
  const bareSeconds = (performance.now() - bareStart) / 1000;
  const admitted = admissions.filter((a) => a.status === 201).map((a) => a.ms);
  const skipped = admissions.filter((a) => a.status === 409).map((a) => a.ms);
  const other = admissions.filter((a) => a.status !== 201 && a.status !== 409);
  if (other.length > 0)
    throw new Error(`${other.length} contended admissions answered neither 201 nor 409 (first: ${other[0]!.status})`);
  return {
    requests,
    targets: targets.length,
    concurrency,
    requestsPerSecond: round(requests / admissionSeconds),
    admitted: distribution(admitted),
    skipped: distribution(skipped),
    bareConditionalUpdate: { ...distribution(bare), opsPerSecond: round(requests / bareSeconds) },
    admittedP50OverBareP50: round(median(admitted) / median(bare)),
    skippedP50OverBareP50: round(median(skipped) / median(bare)),
  };
}

/** Warms both paths (JIT, connections, the table) before anything is timed. */
export async function warmUp(
  local: LocalMode,
  api: ApiHandler,
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<void> {
  const run = randomUUID().slice(0, 8);
  await pool(200, 32, (i) =>
    postExecution(
      api,
      { targetResource: `bench/deployment/warm-up-${run}-${i % 50}`, workflowId: 'noop' },
      { requestId: `w${i}` },
    ),
  );
  await pool(200, 32, (i) => bareWrite(doc, tableName, `warm-up-${run}-${i % 50}`));
  await quiesce(local);
}
