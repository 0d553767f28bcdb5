import { configDefaults, defineConfig } from 'vitest/config';

const SOAK = 'test/integration/reliability/soak.test.ts';
/** The integration tier and the soak: a DynamoDB Local for the project (each test file makes its own table). */
const AGAINST_DYNAMODB_LOCAL = {
  globalSetup: ['test/support/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
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
          exclude: [...configDefaults.exclude, SOAK],
          ...AGAINST_DYNAMODB_LOCAL,
        },
      },
      {
        test: {
          // 5,000 requests against a time bound: run alone once every other project is done,
          // so that a slow shared machine measures the engine and not its neighbours.
          name: 'soak',
          include: [SOAK],
          sequence: { groupOrder: 1 },
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
