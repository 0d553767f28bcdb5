import { afterAll, describe, it } from 'vitest';
import { findDeployment } from './deployment.js';
import { SCENARIOS } from './scenarios.js';

// The deployed tier: the API scenarios against a stack on LocalStack or AWS. Without one it
// says so and its tests are reported as skipped, never as passed.
const deployment = await findDeployment(process.env);
if ('skipped' in deployment) console.warn(`e2e tier SKIPPED: ${deployment.skipped}`);
afterAll(() => ('close' in deployment ? deployment.close() : undefined));

describe.skipIf('skipped' in deployment)('Lockstep deployed', () => {
  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      if ('context' in deployment) await scenario.run(deployment.context);
    });
  }
});
