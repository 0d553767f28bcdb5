import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BenchResults, resultsPage, writeBenchmarksPage } from '../../../bench/results-page.js';

const results: BenchResults = {
  machine: { cpus: 2, cpuModel: 'AMD EPYC', node: 'v22.23.3' },
  startedAt: '2026-12-07T16:18:20.576Z',
  noopEndToEnd: { count: 200, p50Ms: 32.53, p90Ms: 42.32, p99Ms: 80.84 },
  sweep: { active: 10, terminalBeside: 11000, itemsReadPerActiveExecution: 2 },
  coldStart: { firstAnswerMs: 120.5, samplesMs: [130, 120.5, 118] },
  targets: {
    lifecycleWrites: { value: 3, met: true, limit: '≤ 3' },
    aTargetNotYetKnown: { value: 1.72, met: false, limit: '≤ 1.5' },
    bundleKiBMax: { value: null, met: false },
  },
  durationSeconds: 225.44,
};

/** docs/benchmarks.md is written from bench/results.json by the benchmark itself: generic over targets and sections. */
describe('the benchmarks page', () => {
  const page = resultsPage(results);
  const rows = page.split('\n');

  it('says which machine ran it, when and for how long', () => {
    expect(page).toContain(
      'Latest run: started 2026-12-07T16:18:20.576Z, 225.44 s, on 2 CPUs (AMD EPYC), Node.js v22.23.3.',
    );
  });

  it('has a row per target with its value, its bound and whether it is met, a target it has never seen included', () => {
    expect(rows).toContain(
      '| `lifecycleWrites`: DynamoDB write requests for admit → start → complete | 3 | ≤ 3 | met |',
    );
    expect(rows).toContain('| `aTargetNotYetKnown` | 1.72 | ≤ 1.5 | **not met** |');
    expect(rows).toContain(
      '| `bundleKiBMax`: the largest function bundle, minified, in KiB | no value | — | **not met** |',
    );
  });

  it('writes the figures it knows as sentences, and lists a section it does not know, or whose shape changed, value by value', () => {
    expect(rows).toContain(
      "| `noop` end to end through local mode's HTTP API, one at a time, POST to the `Completed` event | p50 32.53 ms, p99 80.84 ms (200 runs) |",
    );
    expect(rows).toContain('| `coldStart` | firstAnswerMs 120.5; samplesMs 118–130 |');
    // `sweep` lacks the fields its sentence reads: listed plainly rather than printed with holes.
    expect(rows).toContain('| `sweep` | active 10; terminalBeside 11000; itemsReadPerActiveExecution 2 |');
  });

  it('names the parts that failed', () => {
    const failed = resultsPage({ ...results, errors: { busOutage: 'Error: boom' } });
    expect(failed).toContain('- `busOutage`: its targets count as not met');
  });

  describe('written at the end of a run', () => {
    const root = `${mkdtempSync(join(tmpdir(), 'lockstep-bench-page-'))}/`;
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'bench'));
    mkdirSync(join(root, 'docs'));

    it('records each bound in results.json, so that `npm run bench:page` alone writes the same page', () => {
      const { targets, ...rest } = results;
      const unbounded = Object.fromEntries(Object.entries(targets!).map(([n, { value, met }]) => [n, { value, met }]));
      writeBenchmarksPage(
        root,
        { ...rest, targets: unbounded },
        { lifecycleWrites: '≤ 3', aTargetNotYetKnown: '≤ 1.5' },
      );

      const recorded = JSON.parse(readFileSync(`${root}bench/results.json`, 'utf8')) as BenchResults;
      expect(recorded.targets).toEqual(targets);
      expect(readFileSync(`${root}docs/benchmarks.md`, 'utf8')).toBe(resultsPage(recorded));
    });
  });
});
