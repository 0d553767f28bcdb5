import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { browserSuite } from './browser.js';

/** The team's workflows: scale-deployment has a target pattern and a parameter pattern (ADMIN_URL: ^https?://). */
const TEAM_WORKFLOWS = fileURLToPath(new URL('../support/fixtures/workflows/', import.meta.url));

describe("the Run form checks patterns with the page's own RE2 engine", () => {
  const suite = browserSuite(async () => {}, { workflowsDir: TEAM_WORKFLOWS });

  it('refuses a target and a value that break their patterns beside their fields, without sending anything', async () => {
    const watched = await suite.open('#/workflows');
    const { page } = watched;
    const form = page.getByRole('form', { name: 'Run scale-deployment version 1' });
    await form.waitFor();
    await form.getByLabel('Target resource').fill('shop/statefulset/checkout');
    await form.getByLabel('ADMIN_URL').fill('ftp://admin.example');
    await form.getByRole('button', { name: 'Run' }).click();

    await form
      .getByText('must match ^[a-z0-9-]+/deployment/[a-z0-9-]+$, the target pattern of scale-deployment')
      .waitFor();
    await form.getByText('ADMIN_URL must match ^https?://, got "ftp://admin.example"').waitFor();
    expect(watched.requests.filter((request) => request.method === 'POST')).toEqual([]);
  });
});
