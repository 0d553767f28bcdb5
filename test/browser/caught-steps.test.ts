import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { uniqueTarget } from '../support/lifecycle.js';
import { until } from '../support/wait.js';
import { browserSuite } from './browser.js';

/** map-caught: a Map whose first iteration's Task fails and whose Catch takes the error, so the run Completes. */
const FIDELITY_WORKFLOWS = fileURLToPath(new URL('../support/fixtures/fidelity-workflows/', import.meta.url));

describe('the steps of a run that recovered', () => {
  const suite = browserSuite(async () => {}, { workflowsDir: FIDELITY_WORKFLOWS });

  it('shows a failed iteration as Failed without marking it the failed step of a Completed run', async () => {
    const created = await suite.t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget('recovered'), workflowId: 'map-caught' },
    });
    expect(created.status).toBe(201);
    await until(
      async () =>
        (await suite.t.call('GET', `/executions/${created.body.id}`)).body.phase === 'Completed' ? true : undefined,
      20_000,
      'the run to complete',
    );

    const { page } = await suite.open(`#/executions/${created.body.id}`);
    const steps = page.getByRole('region', { name: 'Steps' });
    await steps.getByRole('row', { name: /^Each\b.*Caught/ }).waitFor();

    expect(await steps.getByRole('row', { name: /^Work\b.*Failed/ }).count()).toBeGreaterThan(0);
    expect(await steps.getByText('failed step').count()).toBe(0);
  });
});
