import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { startLocalMode } from '../../../lib/local/local-mode.js';

describe('LOCKSTEP_DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lockstep-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = { port: 0, token: 't', policy: DEFAULT_POLICY, sweepIntervalSeconds: 3600, tableName: 'lockstep', dataDir };
  const headers = { authorization: 'Bearer t', 'content-type': 'application/json' };

  it('keeps executions and target state across a restart', async () => {
    const first = await startLocalMode(config);
    const created = await fetch(`${first.urls.api}/executions`, { method: 'POST', headers, body: JSON.stringify({ targetResource: 'persist/deployment/app', workflowId: 'noop' }) });
    const { id } = (await created.json()) as { id: string };
    await first.stepFunctions.idle();
    await first.bus.idle();
    await first.stop();

    const second = await startLocalMode(config);
    try {
      const execution = await (await fetch(`${second.urls.api}/executions/${id}`, { headers })).json();
      const target = await (await fetch(`${second.urls.api}/targets/${encodeURIComponent('persist/deployment/app')}`, { headers })).json();
      expect(execution).toMatchObject({ id, phase: 'Completed' });
      expect(target).toMatchObject({ lastExecutionId: id, state: 'CoolingDown' });
    } finally {
      await second.stop();
    }
  });
});
