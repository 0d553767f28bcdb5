import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * What measures real time: the 5,000-request soak against a time bound, the emulator's timers (elapsed-time bounds),
 * and the cancel race (a cancel timed around the end of a 1 s wait). They run alone, one after the other, once
 * every other file is done, so that a shared machine measures the engine and not its neighbours.
 */
const RUN_ALONE = [
  'test/integration/reliability/soak.test.ts',
  'test/integration/local/emulator-timers.test.ts',
  'test/integration/lifecycle/cancel-race.test.ts',
];
/** The integration tier and the timed files: a DynamoDB Local for the project (each test file makes its own table). */
const AGAINST_DYNAMODB_LOCAL = {
  globalSetup: ['test/support/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // Vitest's default is one worker per core less one: a single worker on the 2-core CI machine, so every file ran
    // after the other and a file waiting on a child process (npm start, Java, a 30 s grace) left the cores idle.
    // At least three files at a time fill those waits (more where there are more cores, as before); the timed files
    // still run alone, after everything else (RUN_ALONE).
    maxWorkers: Math.max(3, availableParallelism() - 1),
    // Local mode logs every transition at INFO; tests keep warnings and errors.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
    projects: [
      {
        // A bound, not a speed check: a property test or the linter's first start can take seconds on a busy machine.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        // The CDK app: esbuild bundles the functions for real, so give it time on a busy machine.
        test: {
          name: 'infrastructure',
          include: ['test/infrastructure/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Against a deployed stack (LocalStack or AWS); skipped, and says why, when there is none.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 300_000 },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...RUN_ALONE],
          ...AGAINST_DYNAMODB_LOCAL,
        },
      },
      {
        test: {
          // The soak and the other timed files (RUN_ALONE): after everything else, one file at a time.
          name: 'soak',
          include: RUN_ALONE,
          sequence: { groupOrder: 1 },
          maxWorkers: 1,
          ...AGAINST_DYNAMODB_LOCAL,
        },
      },
      {
        test: {
          // The status page in Debian's Chromium (playwright-core), on real local mode: one browser per file.
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
