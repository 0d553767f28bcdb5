import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { startLocalMode } from '../../../lib/local/local-mode.js';
import { sweep } from '../../../lib/use-cases/sweep.js';
import { WorkflowFolderError } from '../../../lib/workflows/load-workflows.js';
import { until } from '../../support/wait.js';

// Each test on a data folder of its own, so that they run side by side: every start here starts its own DynamoDB
// Local (Java), and waiting for those one test after the other was most of this file's time. The bound is for a
// busy machine starting several at once; a hang still fails.
describe.concurrent('LOCKSTEP_DATA_DIR', { timeout: 180_000 }, () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });
  /** Local mode's configuration on a new, empty data folder. */
  const configOnNewDataDir = () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lockstep-data-'));
    dataDirs.push(dataDir);
    return {
      port: 0,
      token: 't',
      policy: DEFAULT_POLICY,
      sweepIntervalSeconds: 3600,
      tableName: 'lockstep',
      dataDir,
    };
  };
  const headers = { authorization: 'Bearer t', 'content-type': 'application/json' };

  it('keeps executions and target state across a restart', async () => {
    const config = configOnNewDataDir();
    const first = await startLocalMode(config);
    const created = await fetch(`${first.urls.api}/executions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ targetResource: 'persist/deployment/app', workflowId: 'noop' }),
    });
    const { id } = (await created.json()) as { id: string };
    await first.stepFunctions.idle();
    await first.bus.idle();
    await first.stop();

    const second = await startLocalMode(config);
    try {
      const execution = await (await fetch(`${second.urls.api}/executions/${id}`, { headers })).json();
      const target = await (
        await fetch(`${second.urls.api}/targets/${encodeURIComponent('persist/deployment/app')}`, { headers })
      ).json();
      expect(execution).toMatchObject({ id, phase: 'Completed' });
      expect(target).toMatchObject({ lastExecutionId: id, state: 'CoolingDown' });
    } finally {
      await second.stop();
    }
  });

  it('ends a run local mode stopped in the middle as lost in the restart: Failed, the target blocked, its steps said to be unknown', async () => {
    const config = configOnNewDataDir();
    const target = 'persist/deployment/in-flight';
    const first = await startLocalMode(config);
    const created = await fetch(`${first.urls.api}/executions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } }),
    });
    const { id } = (await created.json()) as { id: string };
    await until(
      async () =>
        (await (await fetch(`${first.urls.api}/executions/${id}`, { headers })).json()).phase === 'Running'
          ? true
          : undefined,
      10_000,
      'the start to be recorded',
    );
    await first.stop();

    const second = await startLocalMode(config);
    try {
      expect(await sweep(second.runtime.engine)).toMatchObject({
        repairs: [{ executionId: id, repair: 'missed-completion' }],
      });
      const execution = await (await fetch(`${second.urls.api}/executions/${id}`, { headers })).json();
      expect(execution).toMatchObject({
        phase: 'Failed',
        failureDetails: {
          reason: 'Unknown',
          wasExecutionFailure: true,
          message: expect.stringMatching(/local mode restarted while it ran/),
        },
      });
      expect(
        await (await fetch(`${second.urls.api}/targets/${encodeURIComponent(target)}`, { headers })).json(),
      ).toMatchObject({ state: 'Blocked', blockReason: 'PreviousExecutionFailed' });
      const steps = await fetch(`${second.urls.api}/executions/${id}/steps`, { headers });
      expect({ status: steps.status, body: await steps.json() }).toMatchObject({
        status: 409,
        body: {
          error: {
            code: 'Conflict',
            message: expect.stringMatching(/^the steps of this run are not available: local mode restarted/),
          },
        },
      });
    } finally {
      await second.stop();
    }
  });

  it('keeps the generated token across a restart (file mode 0600): the old bearer token and the old signing secret still work', async () => {
    const tokenDir = mkdtempSync(join(tmpdir(), 'lockstep-token-'));
    const withoutToken = {
      port: 0,
      policy: DEFAULT_POLICY,
      sweepIntervalSeconds: 3600,
      tableName: 'lockstep',
      dataDir: tokenDir,
    };
    try {
      const first = await startLocalMode(withoutToken);
      const token = first.token;
      await first.stop();

      const second = await startLocalMode(withoutToken);
      try {
        const api = await fetch(`${second.urls.api}/workflows`, { headers: { authorization: `Bearer ${token}` } });
        const events = new EventBridgeClient({
          endpoint: second.urls.eventbridge,
          region: 'us-east-1',
          credentials: { accessKeyId: 'script', secretAccessKey: token },
          maxAttempts: 1,
        });
        const put = await events.send(
          new PutEventsCommand({
            Entries: [{ EventBusName: 'lockstep', Source: 'script', DetailType: 'Ping', Detail: '{}' }],
          }),
        );
        events.destroy();

        expect(second.token).toBe(token);
        expect(api.status).toBe(200);
        expect(put.FailedEntryCount).toBe(0);
        expect(statSync(join(tokenDir, 'token')).mode & 0o777).toBe(0o600);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(tokenDir, { recursive: true, force: true });
    }
  });

  it('refuses changed content under a version it has seen, naming the workflow; a new version is accepted', async () => {
    const workflows = mkdtempSync(join(tmpdir(), 'lockstep-workflows-'));
    const publish = (folder: string, version: string, result: string) => {
      mkdirSync(join(workflows, folder), { recursive: true });
      writeFileSync(
        join(workflows, folder, 'workflow.json'),
        JSON.stringify({
          id: 'restart-deployment',
          version,
          description: 'Restarts a deployment',
          definition: 'definition.asl.json',
        }),
      );
      writeFileSync(
        join(workflows, folder, 'definition.asl.json'),
        JSON.stringify({ StartAt: 'Go', States: { Go: { Type: 'Pass', Result: result, End: true } } }),
      );
    };
    const withWorkflows = { ...configOnNewDataDir(), workflowsDir: workflows };
    publish('v1', '1', 'first');
    await (await startLocalMode(withWorkflows)).stop();

    publish('v1', '1', 'changed in place');
    const refused = await startLocalMode(withWorkflows).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(WorkflowFolderError);
    expect((refused as WorkflowFolderError).problems).toEqual([
      expect.stringMatching(
        /^workflow restart-deployment version 1 was first seen with sha256:[0-9a-f]{64}, and its content now has sha256:[0-9a-f]{64}: .*publish a new version/,
      ),
    ]);

    publish('v1', '1', 'first');
    publish('v2', '2', 'changed in place');
    const accepted = await startLocalMode(withWorkflows);
    try {
      const versions = (await (
        await fetch(`${accepted.urls.api}/workflows/restart-deployment`, { headers })
      ).json()) as { items: { version: string }[] };
      expect(versions.items.map((w) => w.version)).toEqual(['2', '1']);
    } finally {
      await accepted.stop();
    }
  });
});
