// `npm run bench`: what Lockstep costs and how fast it is, every figure measured in one run on
// one machine (one DynamoDB Local, local mode's emulators in this process). Progress goes to
// standard error, the summary to standard output (one line per figure, then each target, met
// or NOT met with its value), everything to bench/results.json. It never fails on a number;
// a part that breaks is reported as an error, its targets as not met, and the exit code is 1.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStore } from '../lib/adapters/dynamodb/dynamodb-store.js';
import type { LocalConfig } from '../lib/contract/environment.js';
import { DEFAULT_POLICY } from '../lib/domain/policies.js';
import { localDynamoDbClient, startDynamoDbLocal } from '../lib/local/dynamodb-local.js';
import { type LocalMode, startLocalMode } from '../lib/local/local-mode.js';
import { systemClock } from '../lib/runtime/runtime.js';
import {
  apiHandlerOf,
  measureAdmissionCalls,
  measureContended,
  measureUnloaded,
  quiesce,
  warmUp,
} from './admission.js';
import { BASELINE, measureFunctions } from './bundles.js';
import { measureBusOutage } from './bus-outage.js';
import { measureLifecycleCost } from './dynamodb-cost.js';
import { measureFirstAnswer } from './first-answer.js';
import { measureMemoryAndSweep } from './memory-and-sweep.js';
import { RunFollower } from './noop-runs.js';
import { writeBenchmarksPage } from './results-page.js';
import { BENCH_TOKEN, distribution, round, say } from './support.js';

const root = fileURLToPath(new URL('../', import.meta.url));
// Local mode logs every transition at INFO; the benchmark's output is its figures.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const started = performance.now();
const COLD_INIT_SAMPLES = 12;
const FIRST_ANSWER_SAMPLES = 20;
const UNLOADED_PAIRS = 200;
const E2E_RUNS = 200;

const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
  startedAt: new Date().toISOString(),
};
const errors: Record<string, string> = {};
const only = onlyParts(process.argv.slice(2));
/** One part of the benchmark: a failure is recorded and the others still run; with `--only`, the parts named. */
async function part<T>(name: string, what: string, measure: () => Promise<T>): Promise<T | undefined> {
  if (only && !only.has(name)) return undefined;
  say(what);
  const t0 = performance.now();
  try {
    const figures = await measure();
    say(`  (${name}: ${round((performance.now() - t0) / 1000)} s)`);
    return figures;
  } catch (error) {
    errors[name] = (error as Error).stack ?? String(error);
    say(`  ${name} FAILED: ${(error as Error).message}`);
    return undefined;
  }
}

// 1. Bundles and cold starts first, while nothing else runs on the machine.
const bundles = await part(
  'functions',
  `bundling functions/*.ts and the baseline as the CDK app does; cold initialization, median of ${COLD_INIT_SAMPLES} fresh processes each`,
  () => measureFunctions(root, COLD_INIT_SAMPLES),
);
results.functions = bundles;

say('starting DynamoDB Local');
const dynamodbLocal = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamodbLocal.endpoint);
const doc = DynamoDBDocumentClient.from(client);
const localConfig = (tableName: string, policy: typeof DEFAULT_POLICY, dynamodbEndpoint: string): LocalConfig => ({
  port: 0,
  token: BENCH_TOKEN,
  policy,
  sweepIntervalSeconds: 3600,
  tableName,
  dynamodbEndpoint,
});
/** A local mode on the bench's DynamoDB Local, or on another one. */
const startLocal = (
  tableName: string,
  policy = DEFAULT_POLICY,
  dynamodbEndpoint = dynamodbLocal.endpoint,
): Promise<LocalMode> =>
  startLocalMode(localConfig(tableName, policy, dynamodbEndpoint), { clock: systemClock, writeMetrics: () => {} });
/** Stops a local mode and drops its table, so that each part finds DynamoDB Local holding only its own items and stream. */
const stopLocal = async (local: LocalMode, tableName: string): Promise<void> => {
  await local.stop();
  await client
    .send(new DeleteTableCommand({ TableName: tableName }))
    .catch((error: unknown) => say(`  could not delete table ${tableName}: ${(error as Error).message}`));
};

// The api's first answer beside the baseline's, while nothing else runs on the machine.
const firstAnswer = await part(
  'coldStartFirstAnswer',
  `the api's first answer: ${FIRST_ANSWER_SAMPLES} fresh processes of its bundle answering one admitted POST /executions, against as many of the baseline's making one conditional write`,
  async () => {
    const tableName = `bench-cold-${randomUUID()}`;
    const local = await startLocal(tableName);
    try {
      return await measureFirstAnswer(root, local, tableName, FIRST_ANSWER_SAMPLES);
    } finally {
      await stopLocal(local, tableName);
    }
  },
);
results.coldStartFirstAnswer = firstAnswer;

let calls: Awaited<ReturnType<typeof measureAdmissionCalls>> | undefined;
let unloaded: Awaited<ReturnType<typeof measureUnloaded>> | undefined;
let contended: Awaited<ReturnType<typeof measureContended>> | undefined;
let cost: Awaited<ReturnType<typeof measureLifecycleCost>> | undefined;
let endToEnd: ReturnType<typeof distribution> | undefined;
let outage: Awaited<ReturnType<typeof measureBusOutage>> | undefined;
let memoryAndSweep: Awaited<ReturnType<typeof measureMemoryAndSweep>> | undefined;
try {
  // 2. The admission, its cost and a noop's round trip, on local mode with the default policy.
  const tableName = `bench-${randomUUID()}`;
  say(`starting local mode (table ${tableName})`);
  const local = await startLocal(tableName);
  try {
    const api = apiHandlerOf(local);
    calls = await part(
      'admissionCalls',
      'admission calls: one request without Idempotency-Key, one with, through the api handler on traced clients',
      () => measureAdmissionCalls(local, tableName),
    );
    await part('warmUp', 'warming up: 200 admissions and 200 bare writes at concurrency 32', () =>
      warmUp(local, api, doc, tableName),
    );
    unloaded = await part(
      'unloadedAdmission',
      `unloaded admission: ${UNLOADED_PAIRS} rounds of one bare conditional UpdateItem and one admission on a fresh target, concurrency 1, local mode idle between rounds`,
      () => measureUnloaded(local, api, doc, tableName, UNLOADED_PAIRS, 20),
    );
    contended = await part(
      'contendedAdmission',
      'contended admission: 2,000 admissions over 50 targets at concurrency 32 through the api handler',
      () => measureContended(local, api, doc, tableName),
    );
    cost = await part(
      'dynamodbCost',
      'DynamoDB requests and capacity of one lifecycle (admit → start → complete) and of a skipped admission',
      () => measureLifecycleCost(local, api, new DynamoDbStore({ client, tableName })),
    );
    endToEnd = await part(
      'noopEndToEnd',
      `noop end to end through local mode's HTTP API: ${E2E_RUNS} runs, one at a time, POST to the Completed event`,
      async () => {
        await quiesce(local);
        const follower = new RunFollower(local, 'bench-e2e-ended');
        const samples: number[] = [];
        const run = randomUUID().slice(0, 8);
        for (let i = 0; i < E2E_RUNS; i++) {
          const t0 = performance.now();
          await follower.run(`bench/deployment/e2e-${run}-${i}`);
          samples.push(performance.now() - t0);
          if ((i + 1) % 50 === 0) say(`  ${i + 1}/${E2E_RUNS}`);
        }
        return distribution(samples);
      },
    );
  } finally {
    await stopLocal(local, tableName);
  }

  // 3. The outbox through a bus outage, on a local mode of its own.
  outage = await part(
    'busOutage',
    'bus outage: every PutEvents of the outbox refused for 10 s while 200 noop runs (and 20 refused requests) go through',
    async () => {
      // Its publisher logs each refused batch as an error: expected here, and not the summary's business.
      const level = process.env.POWERTOOLS_LOG_LEVEL;
      process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
      const outageTable = `bench-outage-${randomUUID()}`;
      const outageLocal = await startLocal(outageTable).finally(() => (process.env.POWERTOOLS_LOG_LEVEL = level));
      try {
        return await measureBusOutage(outageLocal);
      } finally {
        await stopLocal(outageLocal, outageTable);
      }
    },
  );

  // 4. Memory over 10,000 runs, and the sweep beside what they leave, on a local mode with no cooldown, on a
  // DynamoDB Local of its own: one that has served the parts above (their tables dropped) runs these 11,000
  // runs at a fifth of the speed, Java busy and a bare UpdateItem ten times slower, and one that has served
  // these serves what follows as slowly.
  memoryAndSweep = await part(
    'memoryAndSweep',
    'local mode memory and the sweep, on a DynamoDB Local of its own',
    async () => {
      const ownDynamodb = await startDynamoDbLocal();
      try {
        const memoryLocal = await startLocal(
          `bench-memory-${randomUUID()}`,
          { ...DEFAULT_POLICY, cooldownSeconds: 0 },
          ownDynamodb.endpoint,
        );
        try {
          return await measureMemoryAndSweep(memoryLocal);
        } finally {
          await memoryLocal.stop();
        }
      } finally {
        await ownDynamodb.stop();
      }
    },
  );
} finally {
  client.destroy();
  await dynamodbLocal.stop();
}

results.admissionCalls = calls;
results.unloadedAdmission = unloaded;
results.contendedAdmission = contended;
results.dynamodbCost = cost;
results.noopEndToEnd = endToEnd;
results.busOutage = outage;
results.localModeMemory = memoryAndSweep?.memory;
results.sweep = memoryAndSweep?.sweep;

// The targets, from the figures above: each met or not, never a failure of the run.
const counted = Object.entries(bundles?.functions ?? {}).filter(([, f]) => f.counted);
const baselineMs = bundles?.functions[BASELINE]?.coldInitMedianMs;
const coldRatios = Object.fromEntries(
  counted.map(([name, f]) => [name, baselineMs ? round(f.coldInitMedianMs / baselineMs) : Number.NaN]),
);
const slowest =
  counted.length > 0 ? counted.reduce((a, b) => (b[1].coldInitMedianMs > a[1].coldInitMedianMs ? b : a)) : undefined;
const largest = counted.length > 0 ? counted.reduce((a, b) => (b[1].bytes > a[1].bytes ? b : a)) : undefined;
const target = (value: number | undefined, met: (v: number) => boolean) =>
  value === undefined || Number.isNaN(value) ? { value: null, met: false } : { value, met: met(value) };
const targets = {
  admissionSequentialCalls: target(
    calls && Math.max(calls.unkeyed.sequentialCalls, calls.warmUnkeyed.sequentialCalls),
    (v) => v <= 2,
  ),
  admittedP50OverBareP50Unloaded: target(unloaded?.admittedP50OverBareP50, (v) => v <= 2.5),
  coldInitOverBaselineMax: target(slowest && coldRatios[slowest[0]], (v) => v <= 1.5),
  coldStartFirstAnswerOverBaseline: target(firstAnswer?.coldStartFirstAnswerOverBaseline, (v) => v <= 1.5),
  bundleKiBMax: target(largest && largest[1].kib, (v) => v <= 450),
  lifecycleWrites: target(cost?.fullLifecycle.writes, (v) => v <= 3),
  skippedAdmissionRequests: target(cost?.skippedAdmission.requests, (v) => v <= 2),
  sweepReadsPerActive: target(memoryAndSweep?.sweep.itemsReadPerActiveExecution, (v) => v <= 2),
  eventsDeliveredAfterBusOutage: target(outage?.eventsDeliveredAfterBusOutage, (v) => v === 1),
  localRssGrowthMiBPer10k: target(memoryAndSweep?.memory.localRssGrowthMiBPer10k, (v) => v <= 64),
};
const LIMITS: Record<keyof typeof targets, string> = {
  admissionSequentialCalls: '≤ 2',
  admittedP50OverBareP50Unloaded: '≤ 2.5',
  coldInitOverBaselineMax: '≤ 1.5',
  coldStartFirstAnswerOverBaseline: '≤ 1.5',
  bundleKiBMax: '≤ 450',
  lifecycleWrites: '≤ 3',
  skippedAdmissionRequests: '≤ 2',
  sweepReadsPerActive: '≤ 2',
  eventsDeliveredAfterBusOutage: '= 1.0',
  localRssGrowthMiBPer10k: '≤ 64',
};
results.targets = targets;
results.coldInitOverBaseline = {
  baselineMedianMs: baselineMs,
  byFunction: coldRatios,
  slowest: slowest?.[0],
  largest: largest?.[0],
};
if (Object.keys(errors).length > 0) results.errors = errors;
results.durationSeconds = round((performance.now() - started) / 1000);
writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);
mkdirSync(`${root}bench/.build`, { recursive: true });

// The summary, one line per figure, in words docs/benchmarks.md can quote.
const lines: string[] = [];
const machine = results.machine as { cpus: number; node: string };
lines.push(
  `Lockstep benchmarks: ${results.durationSeconds} s on ${machine.cpus} CPUs, Node ${machine.node}, one run (bench/results.json)`,
);
if (firstAnswer)
  lines.push(
    `api cold start to first answer (fresh process: import, one admitted POST /executions on local endpoints): median ${firstAnswer.apiFirstAnswerMedianMs} ms (import ${firstAnswer.apiImportMedianMs} ms); baseline import and first conditional write ${firstAnswer.baselineFirstWriteMedianMs} ms (import ${firstAnswer.baselineImportMedianMs} ms); ratio ${firstAnswer.coldStartFirstAnswerOverBaseline} (cold init alone, slowest function over baseline: ${coldRatios[slowest?.[0] ?? ''] ?? 'no value'})`,
  );
const callList = (c: { calls: { call: string }[] }) => c.calls.map((x) => x.call).join(' → ');
if (calls) {
  lines.push(
    `admission calls in sequence (api handler, fresh target): ${calls.unkeyed.sequentialCalls} without Idempotency-Key (${callList(calls.unkeyed)}; answered ${calls.unkeyed.status} ${calls.unkeyed.phase}; warm: ${calls.warmUnkeyed.sequentialCalls}); ${calls.keyed.sequentialCalls} with it (${callList(calls.keyed)})`,
  );
}
if (unloaded) {
  lines.push(
    `admission unloaded (concurrency 1, ${unloaded.pairs} samples, local mode idle between samples): admitted p50 ${unloaded.admitted.p50Ms} ms p99 ${unloaded.admitted.p99Ms} ms; bare conditional UpdateItem p50 ${unloaded.bareConditionalUpdate.p50Ms} ms p99 ${unloaded.bareConditionalUpdate.p99Ms} ms; admitted/bare ${unloaded.admittedP50OverBareP50}`,
  );
}
if (contended) {
  const c = contended;
  lines.push(
    `admission contended (${c.requests.toLocaleString('en-US')} requests, ${c.targets} targets, concurrency ${c.concurrency}, the emulators running the admitted workflows meanwhile): ${c.requestsPerSecond} req/s; admitted (${c.admitted.count}) p50 ${c.admitted.p50Ms} ms p99 ${c.admitted.p99Ms} ms; skipped (${c.skipped.count}) p50 ${c.skipped.p50Ms} ms p99 ${c.skipped.p99Ms} ms; bare UpdateItem p50 ${c.bareConditionalUpdate.p50Ms} ms p99 ${c.bareConditionalUpdate.p99Ms} ms; admitted/bare ${c.admittedP50OverBareP50}, skipped/bare ${c.skippedP50OverBareP50}`,
  );
}
if (cost) {
  const { fullLifecycle: l, admission: a, skippedAdmission: s } = cost;
  const commands = (c: typeof l) =>
    c.list.map((r) => `${r.command}${r.capacityUnits ? ` ${r.capacityUnits}` : ''}`).join(', ');
  lines.push(
    `DynamoDB per lifecycle (admit → start → complete, a 1 s wait run): ${l.requests} requests, ${l.writes} writes, ${l.capacityUnits} CU (table ${l.tableCapacityUnits}, indexes ${l.indexCapacityUnits}) [${commands(l)}]`,
  );
  const n = cost.noopLifecycles;
  lines.push(
    `DynamoDB per noop lifecycle (start and completion events arrive together): ${Math.min(...n.writes)}–${Math.max(...n.writes)} writes, ${Math.min(...n.requests)}–${Math.max(...n.requests)} requests, ${Math.min(...n.capacityUnits)}–${Math.max(...n.capacityUnits)} CU over ${n.runs} runs; ${n.withFailedWrite} of ${n.runs} lost the start/completion race once (a failed conditional write, read again, written again)`,
  );
  lines.push(
    `DynamoDB per admission: ${a.requests} requests, ${a.writes} write, ${a.capacityUnits} CU; per skipped admission: ${s.requests} requests, ${s.writes} writes, ${s.capacityUnits} CU (table ${s.tableCapacityUnits}, indexes ${s.indexCapacityUnits})`,
  );
}
if (endToEnd)
  lines.push(
    `noop end to end (local mode's HTTP API, one at a time, POST to the Completed event from the outbox): p50 ${endToEnd.p50Ms} ms, p99 ${endToEnd.p99Ms} ms`,
  );
if (memoryAndSweep) {
  const s = memoryAndSweep.sweep;
  lines.push(
    `sweep: ${s.itemsReadActiveAlone} items read with ${s.active} active executions alone; ${s.itemsReadWithHistory} (${s.itemsReadPerActiveExecution} per active) beside ${s.terminalBeside.toLocaleString('en-US')} terminal ones`,
  );
}
if (outage) {
  const o = outage;
  lines.push(
    `bus outage (outbox PutEvents refused for ${o.outageSeconds} s, ${o.refusedPutEvents} calls, during ${o.runs} noop runs and ${o.skippedRequests} refused requests): ${o.deliveredExpected}/${o.expectedTransitions} stored transitions delivered (${round(o.eventsDeliveredAfterBusOutage * 100)} %)${o.secondsToDeliverAfterOutage === null ? '' : `, the last ${o.secondsToDeliverAfterOutage} s after the bus came back`}; ${o.duplicates} duplicates, ${o.unmatched} matching no stored transition, ${o.deliveredDuringOutage} during the outage`,
  );
}
if (bundles) {
  const b = bundles.functions;
  for (const [name, f] of Object.entries(b)) {
    if (name === BASELINE) continue;
    const lazy = Object.entries(f.lazyModules)
      .map(([module, kib]) => ` (+ ${module} ${kib.toFixed(0)} KiB beside it, loaded on first use)`)
      .join('');
    lines.push(
      `function ${name}: ${f.kib.toFixed(0)} KiB minified${lazy}, cold init median ${f.coldInitMedianMs} ms (${baselineMs ? round(f.coldInitMedianMs / baselineMs) : '?'}× baseline)${f.counted ? '' : ` — not counted: ${f.notCountedBecause}`}`,
    );
  }
  if (b[BASELINE])
    lines.push(
      `function baseline (only new DynamoDBClient({})): ${b[BASELINE].kib.toFixed(0)} KiB minified, cold init median ${b[BASELINE].coldInitMedianMs} ms (bundled with ${bundles.esbuildOptionsFrom}; NODE_OPTIONS=--enable-source-maps as deployed)`,
    );
}
if (memoryAndSweep) {
  const m = memoryAndSweep.memory as Record<string, unknown> & {
    localRssBeforeMiB: number;
    localRssAfterMiB: number;
    localRssGrowthMiBPer10k: number;
    heapUsedBeforeMiB: number;
    heapUsedAfterMiB: number;
    runsPerSecond: number;
  };
  lines.push(
    `local mode memory: rss ${m.localRssBeforeMiB} MiB before, ${m.localRssAfterMiB} MiB after 10,000 noop runs (${m.localRssGrowthMiBPer10k >= 0 ? '+' : ''}${m.localRssGrowthMiBPer10k} MiB per 10k; heap ${m.heapUsedBeforeMiB} → ${m.heapUsedAfterMiB} MiB; ${m.runsPerSecond} runs/s)`,
  );
}
for (const [name, { value, met }] of Object.entries(targets))
  lines.push(
    `target ${name}: ${value === null ? 'no value' : value} (${LIMITS[name as keyof typeof targets]}) ${met ? 'met' : 'NOT met'}`,
  );
for (const name of Object.keys(errors)) lines.push(`error in ${name}: see errors in bench/results.json`);
console.log(lines.join('\n'));
say('wrote bench/results.json');
writeBenchmarksPage(root, results, LIMITS);
if (Object.keys(errors).length > 0) process.exitCode = 1;

/**
 * `--only <parts>`: only the parts named (comma-separated, as in results.json), `cold-start` for the
 * bundles' cold init and the api's first answer; every part when absent. Targets of parts not run have no value.
 */
function onlyParts(args: string[]): Set<string> | undefined {
  const at = args.indexOf('--only');
  if (at < 0) return undefined;
  const names = (args[at + 1] ?? '').split(',').filter(Boolean);
  if (names.length === 0) throw new Error('--only takes part names: cold-start, functions, coldStartFirstAnswer, …');
  return new Set(names.flatMap((name) => (name === 'cold-start' ? ['functions', 'coldStartFirstAnswer'] : [name])));
}
