// `npm run bench`: what Lockstep costs and how fast it is, measured in one run on one
// DynamoDB Local. Writes bench/results.json and prints a summary. It never fails on a
// number: each target is reported as met or not.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../cdk/constructs/bundling.js';
import { createApiHandler } from '../lib/api/api-handler.js';
import { bearerTokenAuthenticator } from '../lib/api/authenticators.js';
import { CapacityMeter } from '../lib/adapters/dynamodb/capacity-meter.js';
import { DynamoDbStore } from '../lib/adapters/dynamodb/dynamodb-store.js';
import { executionItem } from '../lib/adapters/dynamodb/items.js';
import { ensureIdempotencyTable } from '../lib/adapters/dynamodb/table-setup.js';
import { DEFAULT_POLICY } from '../lib/domain/policies.js';
import type { ExecutionRecord } from '../lib/domain/execution.js';
import { localDynamoDbClient, startDynamoDbLocal } from '../lib/local/dynamodb-local.js';
import { startLocalMode } from '../lib/local/local-mode.js';
import { systemClock } from '../lib/runtime.js';
import { requestExecution } from '../lib/use-cases/request-execution.js';
import { sweep } from '../lib/use-cases/sweep.js';
import { CATALOG_FILE_NAME, catalogFileContent } from '../lib/workflows/catalog.js';
import { loadBuiltInWorkflows } from '../lib/workflows/load-workflows.js';

const root = fileURLToPath(new URL('../', import.meta.url));
// Local mode logs every transition at INFO; the benchmark's output is its figures.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const started = performance.now();

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
}
const round = (n: number) => Math.round(n * 100) / 100;
const median = (samples: number[]) => percentile(samples, 50);

// A full collection before each memory reading, without a flag on the command line:
// a context created after --expose-gc is set has `gc`. When that fails, readings are taken without it.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as (() => void) | undefined;
const MIB = 1024 * 1024;
function residentMemory(): { rssMiB: number; heapUsedMiB: number } {
  collectGarbage?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMiB: round(rss / MIB), heapUsedMiB: round(heapUsed / MIB) };
}

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  }));
  return results;
}

say('starting DynamoDB Local');
const dynamodbLocal = await startDynamoDbLocal();
const dynamodb = localDynamoDbClient(dynamodbLocal.endpoint);
const meter = new CapacityMeter().attach(dynamodb);
const doc = DynamoDBDocumentClient.from(dynamodb);
const results: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, startedAt: new Date().toISOString() };

try {
  // Local mode on the same DynamoDB Local: the engine the api handler of Lambda runs, with its endpoints swapped.
  const tableName = `bench-${randomUUID()}`;
  const local = await startLocalMode(
    { port: 0, token: 'bench', policy: DEFAULT_POLICY, sweepIntervalSeconds: 3600, tableName, dynamodbEndpoint: dynamodbLocal.endpoint },
    { clock: systemClock, writeMetrics: () => {} },
  );
  const { engine } = local.runtime;
  // The engine with its DynamoDB calls metered (same store type and table, metered client).
  const metered = { ...engine, store: new DynamoDbStore({ client: dynamodb, tableName }) };

  // 1. Contended admission through the api handler, against a bare conditional write.
  say('contended admission: 2,000 admissions over 50 targets at concurrency 32 through the api handler');
  await ensureIdempotencyTable(dynamodb, 'lockstep-idempotency');
  const api = createApiHandler({ engine, authenticate: bearerTokenAuthenticator('bench'), idempotencyStore: new DynamoDBPersistenceLayer({ tableName: 'lockstep-idempotency', awsSdkV3Client: dynamodb }) });
  const admit = (target: string, requestId: string) => {
    const event = { httpMethod: 'POST', path: '/executions', headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body: JSON.stringify({ targetResource: target, workflowId: 'noop' }), requestContext: { requestId } };
    return api(event as unknown as APIGatewayProxyEvent);
  };
  const bareWrite = (i: number) =>
    doc.send(new UpdateCommand({ TableName: tableName, Key: { PK: `BENCH#${i % 50}`, SK: 'BARE' }, UpdateExpression: 'SET n = if_not_exists(n, :zero) + :one', ConditionExpression: 'attribute_not_exists(holder)', ExpressionAttributeValues: { ':one': 1, ':zero': 0 } }));
  // Warm up both paths (JIT, connections, the table) before anything is timed.
  await pool(200, 32, (i) => admit(`bench/deployment/warm-up-${i % 50}`, `w${i}`));
  await pool(200, 32, bareWrite);
  await local.stepFunctions.idle();
  await local.bus.idle();
  const targets = Array.from({ length: 50 }, (_, i) => `bench/deployment/contended-${i}`);
  const admissionStart = performance.now();
  const admissions = await pool(2000, 32, async (i) => {
    const t0 = performance.now();
    const response = await admit(targets[i % 50]!, `b${i}`);
    return { status: response.statusCode, ms: performance.now() - t0 };
  });
  const admissionSeconds = (performance.now() - admissionStart) / 1000;
  await local.stepFunctions.idle();
  await local.bus.idle();
  say('bare conditional UpdateItem on the same table: 2,000 over 50 items at concurrency 32');
  const bareStart = performance.now();
  const bare = await pool(2000, 32, async (i) => {
    const t0 = performance.now();
    await bareWrite(i);
    return performance.now() - t0;
  });
  const bareSeconds = (performance.now() - bareStart) / 1000;
  const admitted = admissions.filter((a) => a.status === 201).map((a) => a.ms);
  const skipped = admissions.filter((a) => a.status === 409).map((a) => a.ms);
  const contendedAdmission = {
    requests: 2000,
    targets: 50,
    concurrency: 32,
    requestsPerSecond: round(2000 / admissionSeconds),
    admitted: { count: admitted.length, p50Ms: median(admitted), p99Ms: percentile(admitted, 99) },
    skipped: { count: skipped.length, p50Ms: median(skipped), p99Ms: percentile(skipped, 99) },
    bareConditionalUpdate: { opsPerSecond: round(2000 / bareSeconds), p50Ms: median(bare), p99Ms: percentile(bare, 99) },
    admittedP50OverBareP50: round(median(admitted) / median(bare)),
    skippedP50OverBareP50: round(median(skipped) / median(bare)),
  };
  results.contendedAdmission = contendedAdmission;
  await local.stepFunctions.idle();
  await local.bus.idle();

  // 2. DynamoDB requests and capacity per admission, skipped admission and lifecycle.
  say('DynamoDB cost per admission, skipped admission and full lifecycle');
  // The store operations of one lifecycle, as the use cases call them: admit, start (Pending → Running), complete.
  const target = `bench/deployment/cost-${randomUUID().slice(0, 8)}`;
  const ask = { targetResource: target, workflowId: 'noop', workflowVersion: '1', parameters: {}, requestedBy: 'bench', source: 'api' as const };
  let mark = meter.position();
  const first = await metered.store.admit({ request: ask, executionId: randomUUID(), at: systemClock.now() });
  const admissionCost = meter.since(mark);
  if (!first.admitted) throw new Error('the cost measurement could not admit');
  mark = meter.position();
  await metered.store.admit({ request: ask, executionId: randomUUID(), at: systemClock.now() });
  const skipCost = meter.since(mark);
  mark = meter.position();
  const name = `wfe-bench-${first.record.fencingToken}`;
  await metered.store.markRunning({ pending: first.record, fencingToken: first.record.fencingToken, executionRef: { name, arn: `arn:aws:states:us-east-1:000000000000:execution:lockstep-noop-v1:${name}` }, startTime: systemClock.now(), actor: 'bench' });
  const startCost = meter.since(mark);
  mark = meter.position();
  await metered.store.finish({ executionId: first.record.execution.id, targetResource: target, termination: { phase: 'Completed' }, at: systemClock.now(), actor: 'bench', policy: DEFAULT_POLICY });
  const completionCost = meter.since(mark);
  const steps = [admissionCost, startCost, completionCost];
  const lifecycleCost = {
    requests: steps.reduce((sum, c) => sum + c.requests, 0),
    writes: steps.reduce((sum, c) => sum + c.writes, 0),
    reads: steps.reduce((sum, c) => sum + c.reads, 0),
    capacityUnits: steps.reduce((sum, c) => sum + c.capacityUnits, 0),
  };
  const cost = (c: ReturnType<CapacityMeter['since']>) => ({ requests: c.requests, writes: c.writes, reads: c.reads, capacityUnits: c.capacityUnits, byCommand: c.byCommand });
  results.dynamodbCost = { admission: cost(admissionCost), skippedAdmission: cost(skipCost), start: cost(startCost), completion: cost(completionCost), fullLifecycle: lifecycleCost };

  // 3. noop from POST to Completed through local mode's HTTP API.
  say('noop end to end through local mode: 200 runs');
  const completed = new Map<string, () => void>();
  local.bus.addRule({ name: 'bench-completed', eventBusName: 'lockstep', pattern: { 'detail-type': ['WorkflowExecution Completed'] }, target: async (event) => completed.get((event.detail as { id: string }).id)?.() });
  const e2e: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    const response = await fetch(`${local.urls.api}/executions`, { method: 'POST', headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body: JSON.stringify({ targetResource: `bench/deployment/e2e-${i}`, workflowId: 'noop' }) });
    const { id } = (await response.json()) as { id: string };
    await new Promise<void>((resolve) => {
      completed.set(id, resolve);
      // The Completed event may have arrived before the answer did.
      void local.runtime.engine.store.getExecution(id).then((r) => r?.execution.phase === 'Completed' && resolve());
    });
    e2e.push(performance.now() - t0);
    if ((i + 1) % 50 === 0) say(`  ${i + 1}/200`);
  }
  results.noopEndToEnd = { runs: 200, p50Ms: median(e2e), p99Ms: percentile(e2e, 99) };
  await local.stop();

  // 4. A sweep's reads: 10 active executions alone, then with 10,000 terminal ones beside them.
  say('sweep: 10 active executions, then 10 active beside 10,000 terminal');
  const sweepTable = `bench-sweep-${randomUUID()}`;
  const sweepLocal = await startLocalMode(
    { port: 0, token: 'bench', policy: DEFAULT_POLICY, sweepIntervalSeconds: 3600, tableName: sweepTable, dynamodbEndpoint: dynamodbLocal.endpoint },
    { clock: systemClock, writeMetrics: () => {} },
  );
  const sweepEngine = { ...sweepLocal.runtime.engine, store: new DynamoDbStore({ client: dynamodb, tableName: sweepTable }) };
  for (let i = 0; i < 10; i++) await requestExecution(sweepEngine, { targetResource: `bench/deployment/active-${i}`, workflowId: 'wait', parameters: { SECONDS: '600' }, requestedBy: 'bench', source: 'api' });
  await sweepLocal.bus.idle();
  mark = meter.position();
  await sweep(sweepEngine);
  const aloneRead = meter.since(mark).itemsRead;
  const now = systemClock.now().toISOString();
  const history = Array.from({ length: 10_000 }, (_, i): ExecutionRecord => ({
    execution: { targetResource: `bench/deployment/history-${i % 500}`, workflowId: 'noop', workflowVersion: '1', parameters: {}, requestedBy: 'bench', source: 'api', id: `history-${i}`, correlationId: `history-${i}`, phase: 'Completed', createdAt: now, startTime: now, completionTime: now, durationSeconds: 0 },
    fencingToken: i + 1,
    events: [],
  }));
  await pool(400, 16, (b) => doc.send(new BatchWriteCommand({ RequestItems: { [sweepTable]: history.slice(b * 25, b * 25 + 25).map((r) => ({ PutRequest: { Item: executionItem(r, 3600) } })) } })));
  mark = meter.position();
  await sweep(sweepEngine);
  const withHistoryRead = meter.since(mark).itemsRead;
  results.sweep = { active: 10, terminal: 10_000, itemsReadActiveAlone: aloneRead, itemsReadWithHistory: withHistoryRead, itemsReadPerActiveExecution: round(withHistoryRead / 10) };
  await sweepLocal.stop();

  // 5. Bundles: each function as the CDK app bundles it (esbuild, minified ESM, AWS SDK included), and its cold import.
  say('bundle sizes and cold module initialization (fresh Node process, median of 10)');
  const functions = ['api', 'trigger', 'status', 'sweeper'];
  const bundles: Record<string, { bytes: number; coldInitMedianMs: number; coldInitSamplesMs: number[] }> = {};
  for (const fn of functions) {
    const outfile = `${root}bench/.build/${fn}/index.mjs`;
    mkdirSync(`${root}bench/.build/${fn}`, { recursive: true });
    await build({
      entryPoints: [`${root}functions/${fn}.ts`],
      outfile,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      mainFields: ['module', 'main'],
      external: [], // as the CDK app bundles them: the AWS SDK included
      banner: { js: ESM_REQUIRE_BANNER },
      logLevel: 'silent',
    });
    // As the CDK app does: the catalog file beside the bundle, read at cold start.
    writeFileSync(`${root}bench/.build/${fn}/${CATALOG_FILE_NAME}`, catalogFileContent(loadBuiltInWorkflows()));
    const env = { ...process.env, LAMBDA_TASK_ROOT: `${root}bench/.build/${fn}`, AWS_REGION: 'us-east-1', TABLE_NAME: 'lockstep', IDEMPOTENCY_TABLE_NAME: 'lockstep-idempotency', EVENT_BUS_NAME: 'lockstep', STATE_MACHINE_ARNS: '{}', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
    const samples = Array.from({ length: 10 }, () =>
      Number(execFileSync(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`], { env, encoding: 'utf8' }).trim()),
    );
    bundles[fn] = { bytes: statSync(outfile).size, coldInitMedianMs: median(samples), coldInitSamplesMs: samples.map(round) };
  }
  results.functions = bundles;

  // 6. Local mode's memory: what 10,000 runs leave behind in the process (Step Functions and bus windows included).
  const MEMORY_RUNS = 10_000;
  const MEMORY_TARGETS = 100;
  const MEMORY_CONCURRENCY = 20;
  const WARM_UP_RUNS = 1_000; // connections, JIT and the Step Functions window filled before the first reading
  say(`local mode memory: ${MEMORY_RUNS.toLocaleString('en-US')} noop runs over ${MEMORY_TARGETS} targets at concurrency ${MEMORY_CONCURRENCY}, no cooldown${collectGarbage ? '' : ' (no GC available: readings without a collection)'}`);
  const memoryLocal = await startLocalMode(
    { port: 0, token: 'bench', policy: { ...DEFAULT_POLICY, cooldownSeconds: 0 }, sweepIntervalSeconds: 3600, tableName: `bench-memory-${randomUUID()}`, dynamodbEndpoint: dynamodbLocal.endpoint },
    { clock: systemClock, writeMetrics: () => {} },
  );
  const ended = new Map<string, () => void>();
  memoryLocal.bus.addRule({
    name: 'bench-ended',
    eventBusName: 'lockstep',
    pattern: { 'detail-type': ['WorkflowExecution Completed', 'WorkflowExecution Failed'] },
    target: async (event) => ended.get((event.detail as { id: string }).id)?.(),
  });
  let memoryRunsDone = 0;
  const rssSamplesMiB: number[] = [];
  /** One noop through the HTTP API, to its end; a busy target (its last run still finishing) is asked again. */
  const runNoop = async (target: string): Promise<void> => {
    for (;;) {
      const response = await fetch(`${memoryLocal.urls.api}/executions`, { method: 'POST', headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body: JSON.stringify({ targetResource: target, workflowId: 'noop' }) });
      const body = (await response.json()) as { id: string };
      if (response.status === 409) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      if (response.status !== 201) throw new Error(`POST /executions answered ${response.status}`);
      await new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`run ${body.id} did not end within 30 s`)), 30_000);
        const done = () => {
          clearTimeout(guard);
          ended.delete(body.id);
          resolve();
        };
        ended.set(body.id, done);
        // The end may have been announced before the answer arrived.
        void memoryLocal.runtime.engine.store.getExecution(body.id).then((r) => (r?.execution.phase === 'Completed' || r?.execution.phase === 'Failed') && done());
      });
      return;
    }
  };
  /** `runs` noops, each worker cycling over its own targets so that no two runs contend. */
  const runMany = (runs: number, onEach: () => void) =>
    Promise.all(
      Array.from({ length: MEMORY_CONCURRENCY }, async (_, worker) => {
        for (let i = worker; i < runs; i += MEMORY_CONCURRENCY) {
          await runNoop(`bench/deployment/memory-${i % MEMORY_TARGETS}`); // worker w owns the targets ≡ w (mod concurrency)
          onEach();
        }
      }),
    );
  await runMany(WARM_UP_RUNS, () => {});
  await memoryLocal.stepFunctions.idle();
  await memoryLocal.bus.idle();
  const memoryBefore = residentMemory();
  const memoryStart = performance.now();
  await runMany(MEMORY_RUNS, () => {
    memoryRunsDone++;
    if (memoryRunsDone % 1_000 !== 0) return;
    rssSamplesMiB.push(round(process.memoryUsage().rss / MIB));
    say(`  ${memoryRunsDone.toLocaleString('en-US')}/${MEMORY_RUNS.toLocaleString('en-US')} (${rssSamplesMiB.at(-1)} MiB resident)`);
  });
  await memoryLocal.stepFunctions.idle();
  await memoryLocal.bus.idle();
  const memoryAfter = residentMemory();
  results.localModeMemory = {
    runs: MEMORY_RUNS,
    targets: MEMORY_TARGETS,
    concurrency: MEMORY_CONCURRENCY,
    warmUpRuns: WARM_UP_RUNS,
    garbageCollectedBeforeReadings: collectGarbage !== undefined,
    runsPerSecond: round(MEMORY_RUNS / ((performance.now() - memoryStart) / 1000)),
    localRssBeforeMiB: memoryBefore.rssMiB,
    localRssAfterMiB: memoryAfter.rssMiB,
    localRssGrowthMiBPer10k: round(((memoryAfter.rssMiB - memoryBefore.rssMiB) * 10_000) / MEMORY_RUNS),
    heapUsedBeforeMiB: memoryBefore.heapUsedMiB,
    heapUsedAfterMiB: memoryAfter.heapUsedMiB,
    /** Resident memory after each 1,000 runs, without a collection first. */
    rssEvery1000RunsMiB: rssSamplesMiB,
    stepFunctionsHeld: memoryLocal.stepFunctions.retained(),
    busHeld: memoryLocal.bus.retained(),
  };
  await memoryLocal.stop();

  const contended = contendedAdmission;
  const lifecycle = results.dynamodbCost as { fullLifecycle: { writes: number }; skippedAdmission: { requests: number } };
  const sweepFigures = results.sweep as { itemsReadWithHistory: number; active: number };
  results.targets = {
    admittedP50AtMost3xBareWrite: { value: contended.admittedP50OverBareP50, met: contended.admittedP50OverBareP50 <= 3 },
    lifecycleAtMost3Writes: { value: lifecycle.fullLifecycle.writes, met: lifecycle.fullLifecycle.writes <= 3 },
    skippedAdmissionAtMost2Requests: { value: lifecycle.skippedAdmission.requests, met: lifecycle.skippedAdmission.requests <= 2 },
    noopEndToEndP50Under250Ms: { value: (results.noopEndToEnd as { p50Ms: number }).p50Ms, met: (results.noopEndToEnd as { p50Ms: number }).p50Ms < 250 },
    coldInitUnder200Ms: { value: Object.fromEntries(functions.map((f) => [f, bundles[f]!.coldInitMedianMs])), met: functions.every((f) => bundles[f]!.coldInitMedianMs < 200) },
    sweepReadsAtMost2xActive: { value: sweepFigures.itemsReadWithHistory, met: sweepFigures.itemsReadWithHistory <= 2 * sweepFigures.active },
  };
  results.durationSeconds = round((performance.now() - started) / 1000);
  mkdirSync(`${root}bench`, { recursive: true });
  writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);

  const c = contendedAdmission;
  const lines = [
    `Lockstep benchmarks (${results.durationSeconds} s, ${String((results.machine as { cpus: number }).cpus)} CPUs, Node ${process.version})`,
    `contended admission: ${c.requestsPerSecond} req/s; admitted p50 ${c.admitted.p50Ms} ms p99 ${c.admitted.p99Ms} ms; skipped p50 ${c.skipped.p50Ms} ms p99 ${c.skipped.p99Ms} ms; bare write p50 ${c.bareConditionalUpdate.p50Ms} ms p99 ${c.bareConditionalUpdate.p99Ms} ms (admitted/bare ${c.admittedP50OverBareP50}, skipped/bare ${c.skippedP50OverBareP50})`,
    `DynamoDB: admission ${admissionCost.requests} req/${admissionCost.capacityUnits} CU; skipped ${skipCost.requests} req/${skipCost.capacityUnits} CU; lifecycle ${lifecycleCost.requests} req (${lifecycleCost.writes} writes)/${lifecycleCost.capacityUnits} CU`,
    `noop end to end: p50 ${(results.noopEndToEnd as { p50Ms: number }).p50Ms} ms, p99 ${(results.noopEndToEnd as { p99Ms: number }).p99Ms} ms`,
    `sweep: ${aloneRead} items read with 10 active; ${withHistoryRead} with 10 active + 10,000 terminal`,
    ...functions.map((f) => `function ${f}: ${(bundles[f]!.bytes / 1024).toFixed(0)} KiB, cold init median ${bundles[f]!.coldInitMedianMs} ms`),
    (() => {
      const m = results.localModeMemory as { localRssBeforeMiB: number; localRssAfterMiB: number; localRssGrowthMiBPer10k: number; heapUsedBeforeMiB: number; heapUsedAfterMiB: number; runsPerSecond: number; stepFunctionsHeld: { running: number; finished: number; tombstones: number }; busHeld: { events: number } };
      const h = m.stepFunctionsHeld;
      return `local mode memory: rss ${m.localRssBeforeMiB} MiB before, ${m.localRssAfterMiB} MiB after 10,000 noop runs (+${m.localRssGrowthMiBPer10k} MiB per 10k; heap ${m.heapUsedBeforeMiB} → ${m.heapUsedAfterMiB} MiB; ${m.runsPerSecond} runs/s); held: Step Functions ${h.running} running, ${h.finished} finished, ${h.tombstones} tombstones; bus ${m.busHeld.events} events`;
    })(),
    ...Object.entries(results.targets as Record<string, { met: boolean }>).map(([name, { met }]) => `target ${name}: ${met ? 'met' : 'NOT met'}`),
  ];
  console.log(lines.join('\n'));
  say('wrote bench/results.json');
} finally {
  dynamodb.destroy();
  await dynamodbLocal.stop();
}
