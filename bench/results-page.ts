// docs/benchmarks.md, written from bench/results.json: at the end of `npm run bench`, or alone with
// `npm run bench:page` (from the last run's results.json). The page is never edited by hand, so no
// commit re-pastes figures. Every target in results.json gets a row, whatever its name: a target
// added to run.ts appears here without a change to this file. The figures beside the targets have
// a sentence each where this file knows their shape; a section it does not know (or whose shape
// has changed) is listed value by value instead of being left out.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { measureAdmissionCalls, measureContended, measureUnloaded } from './admission.js';
import type { FunctionFigures } from './bundles.js';
import type { BusOutage } from './bus-outage.js';
import type { LifecycleCost } from './dynamodb-cost.js';
import type { SweepFigures } from './memory-and-sweep.js';
import type { Distribution } from './support.js';

export const RESULTS_FILE = 'bench/results.json';
export const PAGE_FILE = 'docs/benchmarks.md';

export interface TargetFigure {
  value: number | null;
  met: boolean;
  /** The bound, as run.ts states it (`≤ 2`); recorded beside value and met by `writeBenchmarksPage`. */
  limit?: string;
}

export interface BenchResults {
  machine?: { cpus?: number; cpuModel?: string; node?: string };
  startedAt?: string;
  durationSeconds?: number;
  targets?: Record<string, TargetFigure>;
  errors?: Record<string, string>;
  [section: string]: unknown;
}

/** What each known target measures; a target not listed here still gets its row, named only. */
const TARGET_MEANING: Record<string, string> = {
  admissionSequentialCalls:
    'service calls in sequence, one admitted request without `Idempotency-Key` through the `api` handler, every client instrumented',
  admittedP50OverBareP50Unloaded:
    'admitted request vs a bare conditional `UpdateItem`, p50 at concurrency 1, same table',
  coldInitOverBaselineMax:
    "slowest function's median cold initialization over the baseline's (a function that only creates a `DynamoDBClient`)",
  coldStartFirstAnswerOverBaseline:
    'a fresh process of the `api` bundle answering its first admitted `POST /executions`, over a fresh process of the baseline making its first conditional write (medians)',
  bundleKiBMax: 'the largest function bundle, minified, in KiB',
  lifecycleWrites: 'DynamoDB write requests for admit → start → complete',
  skippedAdmissionRequests: 'DynamoDB requests of a refused admission',
  sweepReadsPerActive: 'items a sweep reads per active execution, beside thousands of terminal ones',
  eventsDeliveredAfterBusOutage:
    'share of stored transitions delivered as domain events after the bus refused every `PutEvents` for a while',
  localRssGrowthMiBPer10k: "local mode's resident memory growth over 10,000 `noop` runs, MiB",
};

/** Sections that are bookkeeping, or that another section's sentence already reports. */
const NOT_FIGURES = new Set(['machine', 'startedAt', 'durationSeconds', 'targets', 'errors', 'coldInitOverBaseline']);

type Figures<T> = T extends (...args: never[]) => Promise<infer R> ? R : never;
const ms = (n: number) => `${n} ms`;
const range = (values: number[]) => {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? `${low}` : `${low}–${high}`;
};
const thousands = (n: number) => n.toLocaleString('en-US');

/** One sentence per known section; each throws on a shape it does not expect, and the section is then listed plainly. */
const SENTENCES: Record<string, { figure: string; result: (section: never) => string }> = {
  admissionCalls: {
    figure: 'service calls of one admitted request through the `api` handler, in sequence',
    result: (c: Figures<typeof measureAdmissionCalls>) => {
      const list = (r: typeof c.unkeyed) => r.calls.map((x) => `\`${x.call}\``).join(' → ');
      return `${c.unkeyed.sequentialCalls} without \`Idempotency-Key\` (${list(c.unkeyed)}; warm: ${c.warmUnkeyed.sequentialCalls}); ${c.keyed.sequentialCalls} with it (${list(c.keyed)})`;
    },
  },
  unloadedAdmission: {
    figure: 'admission unloaded: admitted request vs a bare conditional `UpdateItem`, concurrency 1',
    result: (u: Figures<typeof measureUnloaded>) =>
      `${u.admittedP50OverBareP50}× (p50 ${ms(u.admitted.p50Ms)} vs ${ms(u.bareConditionalUpdate.p50Ms)}; p99 ${ms(u.admitted.p99Ms)} vs ${ms(u.bareConditionalUpdate.p99Ms)}; ${u.pairs} samples)`,
  },
  contendedAdmission: {
    figure:
      'admission contended: requests over a few targets through the `api` handler, the emulators running the admitted workflows meanwhile',
    result: (c: Figures<typeof measureContended>) =>
      `${thousands(c.requests)} requests over ${c.targets} targets at concurrency ${c.concurrency}: ${c.requestsPerSecond} req/s; admitted p50 ${ms(c.admitted.p50Ms)}, p99 ${ms(c.admitted.p99Ms)}; refused p50 ${ms(c.skipped.p50Ms)}, p99 ${ms(c.skipped.p99Ms)}; bare \`UpdateItem\` at the same concurrency p50 ${ms(c.bareConditionalUpdate.p50Ms)} (admitted ${c.admittedP50OverBareP50}×, refused ${c.skippedP50OverBareP50}×)`,
  },
  dynamodbCost: {
    figure: 'DynamoDB per execution (requests, writes, capacity units)',
    result: (c: LifecycleCost) => {
      const { fullLifecycle: l, admission: a, skippedAdmission: s, noopLifecycles: n } = c;
      return `lifecycle (admit → start → complete): ${l.requests} requests, ${l.writes} writes, ${l.capacityUnits} CU (table ${l.tableCapacityUnits}, indexes ${l.indexCapacityUnits}); admission ${a.requests} request, ${a.capacityUnits} CU; refused admission ${s.requests} requests, ${s.capacityUnits} CU; \`noop\` lifecycle (start and completion events together, ${n.runs} runs): ${range(n.writes)} writes, ${range(n.requests)} requests, ${range(n.capacityUnits)} CU (${n.withFailedWrite} of ${n.runs} lost the start/completion race once)`;
    },
  },
  noopEndToEnd: {
    figure: "`noop` end to end through local mode's HTTP API, one at a time, POST to the `Completed` event",
    result: (d: Distribution) => `p50 ${ms(d.p50Ms)}, p99 ${ms(d.p99Ms)} (${d.count} runs)`,
  },
  busOutage: {
    figure: 'bus outage: the outbox delivering after the bus refused every `PutEvents`',
    result: (o: BusOutage) =>
      `${o.deliveredExpected} of ${o.expectedTransitions} transitions delivered after a ${o.outageSeconds} s outage during ${o.runs} \`noop\` runs and ${o.skippedRequests} refused requests${o.secondsToDeliverAfterOutage === null ? '' : `, the last ${o.secondsToDeliverAfterOutage} s after the bus came back`}; ${o.duplicates} duplicates, ${o.unmatched} invented`,
  },
  localModeMemory: {
    figure: "local mode's resident memory over 10,000 `noop` runs (after a warm-up, full GC before each reading)",
    result: (m: {
      localRssBeforeMiB: number;
      localRssAfterMiB: number;
      localRssGrowthMiBPer10k: number;
      runsPerSecond: number;
    }) =>
      `${m.localRssGrowthMiBPer10k >= 0 ? '+' : ''}${m.localRssGrowthMiBPer10k} MiB (${m.localRssBeforeMiB} → ${m.localRssAfterMiB} MiB; ${m.runsPerSecond} runs/s)`,
  },
  sweep: {
    figure: 'items a sweep reads',
    result: (s: SweepFigures) =>
      `${s.itemsReadWithHistory} for ${s.active} active executions beside ${thousands(s.terminalBeside)} terminal ones (${s.itemsReadPerActiveExecution} per active); ${s.itemsReadActiveAlone} with nothing beside`,
  },
  coldStartFirstAnswer: {
    figure: 'the cold start a caller meets: a fresh process importing the bundle and answering its first request',
    result: (a: {
      apiFirstAnswerMedianMs: number;
      apiImportMedianMs: number;
      baselineFirstWriteMedianMs: number;
      baselineImportMedianMs: number;
      coldStartFirstAnswerOverBaseline: number;
    }) =>
      `\`api\` ${ms(a.apiFirstAnswerMedianMs)} to its first admitted answer (import ${ms(a.apiImportMedianMs)}); baseline ${ms(a.baselineFirstWriteMedianMs)} to its first conditional write (import ${ms(a.baselineImportMedianMs)}); ${a.coldStartFirstAnswerOverBaseline}×`,
  },
  functions: {
    figure: 'function bundles (minified ESM, SDK included) and median cold initialization',
    result: (f: { functions: Record<string, FunctionFigures> }) => {
      const baseline = f.functions.baseline?.coldInitMedianMs;
      return Object.entries(f.functions)
        .map(([name, x]) => {
          const ratio =
            baseline && name !== 'baseline' ? ` (${Math.round((x.coldInitMedianMs / baseline) * 100) / 100}×)` : '';
          const lazy = Object.entries(x.lazyModules)
            .map(([module, kib]) => `, + ${module} ${kib.toFixed(0)} KiB loaded on first use`)
            .join('');
          const note = x.counted || name === 'baseline' ? '' : ` (not counted: ${x.notCountedBecause})`;
          return `\`${name}\` ${x.kib.toFixed(0)} KiB${lazy}, ${ms(x.coldInitMedianMs)}${ratio}${note}`;
        })
        .join('; ');
    },
  },
};

/** A section this file has no sentence for: its numbers, strings and booleans by path; lists of numbers as their range. */
function plainly(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [`${path || 'value'} ${String(value)}`];
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return value.length > 0 ? [`${path} ${range(value)}`] : [];
    return value.flatMap((v, i) => plainly(v, `${path}[${i}]`));
  }
  return Object.entries(value).flatMap(([key, v]) => plainly(v, path ? `${path}.${key}` : key));
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function figureRow(name: string, section: unknown): string {
  const known = SENTENCES[name];
  if (section === undefined || section === null)
    return `| \`${name}\` | not measured: the part failed (see \`errors\`) |`;
  if (known) {
    try {
      const sentence = known.result(section as never);
      // A field the sentence reads is gone: its shape changed, so it is listed plainly rather than printed with holes.
      if (!/\bundefined\b|\bNaN\b/.test(sentence)) return `| ${known.figure} | ${cell(sentence)} |`;
    } catch {
      // Its shape changed: listed plainly below rather than lost.
    }
  }
  return `| \`${name}\` | ${cell(plainly(section).join('; '))} |`;
}

/** The page, from a run's results: the run, the targets, the other figures, how it measures. */
export function resultsPage(results: BenchResults): string {
  const { machine = {}, targets = {}, errors = {} } = results;
  const lines = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (bench/results-page.ts) from bench/results.json; `npm run bench:page` writes it again. Do not edit by hand. -->',
    '',
    `Latest run: started ${results.startedAt ?? 'at an unknown time'}${results.durationSeconds === undefined ? '' : `, ${results.durationSeconds} s`}, on ${machine.cpus ?? '?'} CPUs (${machine.cpuModel ?? 'unknown model'}), Node.js ${machine.node ?? '?'}. Timings move between runs on a shared machine; counts (calls, requests, writes, items read, events delivered) do not.`,
    '',
    '## Targets',
    '',
    '| figure | value | target | met |',
    '|---|---|---|---|',
  ];
  for (const [name, t] of Object.entries(targets)) {
    const meaning = TARGET_MEANING[name] ? `: ${TARGET_MEANING[name]}` : '';
    lines.push(
      `| \`${name}\`${cell(meaning)} | ${t.value ?? 'no value'} | ${t.limit ?? '—'} | ${t.met ? 'met' : '**not met**'} |`,
    );
  }
  lines.push('', '## Beside the targets', '', '| figure | result |', '|---|---|');
  for (const [name, section] of Object.entries(results))
    if (!NOT_FIGURES.has(name)) lines.push(figureRow(name, section));
  if (Object.keys(errors).length > 0) {
    lines.push('', '## Parts that failed', '');
    for (const name of Object.keys(errors))
      lines.push(`- \`${name}\`: its targets count as not met; the stack is in \`bench/results.json\` (\`errors\`).`);
  }
  lines.push(
    '',
    '## How it measures',
    '',
    '`npm run bench` measures everything in one run and writes `bench/results.json` (every figure, and `targets`: each',
    '`{value, limit, met}`), prints its progress on standard error and a summary on standard output, then writes this page.',
    'It never fails on a number: a part that breaks is reported, its targets as not met, and the exit code is 1. The',
    "functions are bundled with the CDK app's own esbuild options and each is imported in fresh Node.js processes, with the",
    "environment Lambda gives it; the engine runs as local mode on DynamoDB Local in the benchmark's process, and the memory",
    'part has a DynamoDB Local of its own. What the figures mean for the engine, and why a missed target is missed, is in',
    '[How the engine works](engine.md) ("Lean functions", "What an execution costs in DynamoDB").',
    '',
  );
  return lines.join('\n');
}

/**
 * Records each target's bound beside its value (run.ts keeps the bounds apart) in results.json, so
 * that `npm run bench:page` alone writes the same page, then writes the page. Called once, at the end of run.ts.
 */
export function writeBenchmarksPage(
  root: string,
  results: Record<string, unknown>,
  limits: Record<string, string> = {},
): void {
  const targets = Object.fromEntries(
    Object.entries((results as BenchResults).targets ?? {}).map(([name, t]) => [
      name,
      limits[name] ? { ...t, limit: limits[name] } : t,
    ]),
  );
  const recorded = { ...results, targets };
  writeFileSync(`${root}${RESULTS_FILE}`, `${JSON.stringify(recorded, null, 2)}\n`);
  writeFileSync(`${root}${PAGE_FILE}`, resultsPage(recorded));
}

// `npm run bench:page`: the page from the last run's results.json.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('../', import.meta.url));
  writeFileSync(
    `${root}${PAGE_FILE}`,
    resultsPage(JSON.parse(readFileSync(`${root}${RESULTS_FILE}`, 'utf8')) as BenchResults),
  );
  process.stderr.write(`bench: wrote ${PAGE_FILE} from ${RESULTS_FILE}\n`);
}
