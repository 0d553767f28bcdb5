import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Local mode logs every transition at INFO; tests keep warnings and errors.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        // The CDK app: esbuild bundles the functions for real, so give it time on a busy machine.
        test: { name: 'infrastructure', include: ['test/infrastructure/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        // Against a deployed stack (LocalStack or AWS); skipped, and says why, when there is none.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 300_000 },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One DynamoDB Local for the whole run; each test file makes its own table.
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
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
