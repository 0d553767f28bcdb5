// Local mode's memory over 10,000 runs, and what a sweep reads with 10 active executions,
// first alone, then beside the terminal executions those runs left behind.
import { CapacityMeter } from '../lib/adapters/dynamodb/capacity-meter.js';
import type { LocalMode } from '../lib/local/local-mode.js';
import { sweep } from '../lib/use-cases/sweep.js';
import { RunFollower } from './noop-runs.js';
import { garbageCollectionAvailable, residentMemory, round, rssMiB, say, until, within } from './support.js';

export const MEMORY_RUNS = 10_000;
const MEMORY_TARGETS = 100;
const MEMORY_CONCURRENCY = 20;
/** Connections, JIT and the Step Functions window filled before the first reading. */
const WARM_UP_RUNS = 1_000;
const ACTIVE = 10;

export interface SweepFigures {
  active: number;
  terminalBeside: number;
  itemsReadActiveAlone: number;
  itemsReadWithHistory: number;
  requestsWithHistory: number;
  itemsReadPerActiveExecution: number;
}

/**
 * On a local mode with no cooldown: 10 `wait` runs (an hour each) are started and recorded
 * Running; a sweep reads; then 1,000 + 10,000 noop runs over 100 targets (20 workers, each on
 * targets of its own so no two runs contend), with resident memory read after a full
 * collection before and after the 10,000; then a second sweep reads beside the 11,000 terminal
 * executions (and their audit trails) the runs left. The sweeps' reads are counted on local
 * mode's own client, while nothing else uses it.
 */
export async function measureMemoryAndSweep(
  local: LocalMode,
): Promise<{ memory: Record<string, unknown> & { localRssGrowthMiBPer10k: number }; sweep: SweepFigures }> {
  const follower = new RunFollower(local, 'bench-memory-ended');
  const { engine } = local.runtime;
  /** Items a sweep reads, on local mode's own client; the meter is taken off after it, so that it holds nothing of the runs. */
  const sweepReads = async () => {
    const meter = new CapacityMeter().attach(local.runtime.clients.dynamodb);
    try {
      const report = await sweep(engine);
      if (report.examined !== ACTIVE) say(`  warning: the sweep examined ${report.examined} targets, not ${ACTIVE}`);
      return meter.since(0);
    } finally {
      local.runtime.clients.dynamodb.middlewareStack.remove('lockstepCapacityMeter');
    }
  };

  say(`  ${ACTIVE} wait runs (3,600 s) to sweep beside`);
  const active: string[] = [];
  for (let i = 0; i < ACTIVE; i++)
    active.push(await follower.start(`bench/deployment/active-${i}`, 'wait', { SECONDS: '3600' }));
  await until(30_000, `the ${ACTIVE} wait runs recorded Running`, async () => {
    for (const id of active) if ((await engine.store.getExecution(id))?.execution.phase !== 'Running') return false;
    return true;
  });
  await within(
    30_000,
    'the bus and the stream going idle',
    (async () => {
      await local.bus.idle();
      await local.streamReader.idle();
    })(),
  );
  // The store's first listing also reads its page-token key, once.
  const itemsReadActiveAlone = (await sweepReads()).itemsRead;

  say(
    `  ${MEMORY_RUNS.toLocaleString('en-US')} noop runs over ${MEMORY_TARGETS} targets at concurrency ${MEMORY_CONCURRENCY}, no cooldown, after ${WARM_UP_RUNS.toLocaleString('en-US')} to warm up${garbageCollectionAvailable ? '' : ' (no GC available: readings without a collection)'}`,
  );
  /** `runs` noops, each worker cycling over its own targets so that no two runs contend. */
  const runMany = (runs: number, onEach: () => void) =>
    Promise.all(
      Array.from({ length: MEMORY_CONCURRENCY }, async (_, worker) => {
        for (let i = worker; i < runs; i += MEMORY_CONCURRENCY) {
          await follower.run(`bench/deployment/memory-${i % MEMORY_TARGETS}`); // worker w owns the targets ≡ w (mod concurrency)
          onEach();
        }
      }),
    );
  await runMany(WARM_UP_RUNS, () => {});
  await quiesceAround(local);
  const before = residentMemory();
  const start = performance.now();
  let done = 0;
  const rssEvery1000RunsMiB: number[] = [];
  await runMany(MEMORY_RUNS, () => {
    if (++done % 1_000 !== 0) return;
    rssEvery1000RunsMiB.push(rssMiB());
    say(
      `  ${done.toLocaleString('en-US')}/${MEMORY_RUNS.toLocaleString('en-US')} (${rssEvery1000RunsMiB.at(-1)} MiB resident)`,
    );
  });
  const runsPerSecond = round(MEMORY_RUNS / ((performance.now() - start) / 1000));
  await quiesceAround(local);
  const after = residentMemory();

  const swept = await sweepReads();

  return {
    memory: {
      runs: MEMORY_RUNS,
      targets: MEMORY_TARGETS,
      concurrency: MEMORY_CONCURRENCY,
      warmUpRuns: WARM_UP_RUNS,
      garbageCollectedBeforeReadings: garbageCollectionAvailable,
      runsPerSecond,
      localRssBeforeMiB: before.rssMiB,
      localRssAfterMiB: after.rssMiB,
      localRssGrowthMiBPer10k: round(((after.rssMiB - before.rssMiB) * 10_000) / MEMORY_RUNS),
      heapUsedBeforeMiB: before.heapUsedMiB,
      heapUsedAfterMiB: after.heapUsedMiB,
      /** Resident memory after each 1,000 runs, without a collection first. */
      rssEvery1000RunsMiB,
      /** What local mode holds afterwards (the 10 wait runs are among the running). */
      stepFunctionsHeld: local.stepFunctions.retained(),
      busHeld: local.bus.retained(),
    },
    sweep: {
      active: ACTIVE,
      terminalBeside: WARM_UP_RUNS + MEMORY_RUNS,
      itemsReadActiveAlone,
      itemsReadWithHistory: swept.itemsRead,
      requestsWithHistory: swept.requests,
      itemsReadPerActiveExecution: round(swept.itemsRead / ACTIVE),
    },
  };
}

/** Idle apart from the wait runs, which run for an hour: Step Functions' idle() would wait for them. */
async function quiesceAround(local: LocalMode): Promise<void> {
  await within(
    60_000,
    'local mode going idle',
    (async () => {
      await local.bus.idle();
      await local.streamReader.idle();
      await local.bus.idle();
    })(),
  );
}
