import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import type { DeliveredEvent } from '../../../lib/local/eventbridge/local-event-bus.js';
import { type LocalMode, startLocalMode } from '../../../lib/local/local-mode.js';
import { until } from '../../support/wait.js';

/**
 * Issue 18, defect 1, against real local mode: executions within every documented limit
 * (16,384-character parameter values, a 256 KiB body) whose domain events together, or
 * alone, are over what one PutEvents call may carry. Every transition must still be
 * published, the ones behind them too, and a restart on the same data folder must not come
 * back to a refused call.
 */
const TOKEN = 'outbox-large-events';
const MAX_VALUE = 16_384;
const MAX_BODY_BYTES = 256 * 1024;
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

describe('large executions do not wedge the domain-event outbox (local mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lockstep-outbox-data-'));
  const workflowsDir = mkdtempSync(join(tmpdir(), 'lockstep-outbox-workflows-'));
  const running: LocalMode[] = [];
  afterAll(async () => {
    for (const local of running) await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workflowsDir, { recursive: true, force: true });
  });

  // A workflow of the user's own, declaring enough parameters for one execution to fill a whole body; and the built-ins.
  const names = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'];
  mkdirSync(join(workflowsDir, 'large-parameters'));
  writeFileSync(
    join(workflowsDir, 'large-parameters', 'workflow.json'),
    JSON.stringify({
      id: 'large-parameters',
      version: '1',
      description: 'Takes large parameters',
      definition: 'definition.asl.json',
      parameters: names.map((name) => ({ name, description: name })),
    }),
  );
  writeFileSync(
    join(workflowsDir, 'large-parameters', 'definition.asl.json'),
    JSON.stringify({ StartAt: 'Go', States: { Go: { Type: 'Pass', End: true } } }),
  );
  const config = {
    port: 0,
    token: TOKEN,
    policy: DEFAULT_POLICY,
    sweepIntervalSeconds: 3600,
    tableName: 'lockstep',
    dataDir,
    workflowsDir,
    stepFunctionsPort: 0,
    eventBridgePort: 0,
  };

  async function start() {
    const local = await startLocalMode(config);
    running.push(local);
    const published: DeliveredEvent[] = [];
    local.bus.addRule({
      name: 'observer',
      eventBusName: 'lockstep',
      pattern: { source: ['lockstep'] },
      target: async (event) => void published.push(event),
    });
    const request = async (body: Record<string, unknown>) => {
      const text = JSON.stringify(body);
      expect(Buffer.byteLength(text), 'the request is within the documented body limit').toBeLessThanOrEqual(
        MAX_BODY_BYTES,
      );
      const response = await fetch(`${local.urls.api}/executions`, { method: 'POST', headers, body: text });
      expect(response.status, await response.clone().text()).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    /** Waits until each execution's Started and Completed events were published; answers them by execution. */
    const publishedFor = (ids: string[]) =>
      until(
        () => {
          const phases = (id: string) =>
            published
              .filter((event) => (event.detail as { id: string }).id === id)
              .map((event) => (event.detail as { phase: string }).phase);
          return ids.every((id) => phases(id).includes('Running') && phases(id).includes('Completed'))
            ? published
            : undefined;
        },
        60_000,
        `the Started and Completed events of ${ids.length} executions`,
      );
    return { local, request, publishedFor };
  }

  const restart = (target: string, fill: string) => ({
    targetResource: target,
    workflowId: 'restart-ecs-service',
    parameters: { CLUSTER: fill.repeat(MAX_VALUE), SERVICE: fill.repeat(MAX_VALUE), REASON: fill.repeat(MAX_VALUE) },
  });

  it('publishes every transition of large executions, and of the ones behind them, and after a restart', async () => {
    const first = await start();
    const ids: string[] = [];
    // Three executions with three 16,384-character values of a three-byte character: two of their events are over 256 KiB.
    for (let i = 0; i < 3; i++) ids.push(await first.request(restart(`large/deployment/cjk-${i}`, '中')));
    // Sixteen with plain ASCII: ten of their events are over 256 KiB.
    for (let i = 0; i < 16; i++) ids.push(await first.request(restart(`large/deployment/ascii-${i}`, 'a')));
    // One whose body is just within 256 KiB: each of its events alone is over what PutEvents takes.
    const parameters: Record<string, string> = Object.fromEntries(
      names.slice(0, 5).map((name) => [name, '中'.repeat(MAX_VALUE)]),
    );
    const base = {
      targetResource: 'large/deployment/whole-body',
      workflowId: 'large-parameters',
      parameters: { ...parameters, P6: '' },
    };
    const room = MAX_BODY_BYTES - Buffer.byteLength(JSON.stringify(base));
    const alone = await first.request({ ...base, parameters: { ...parameters, P6: 'x'.repeat(room) } });
    ids.push(alone);
    // And a small one behind them all.
    const small = await first.request({ targetResource: 'large/deployment/small', workflowId: 'noop' });
    ids.push(small);

    const events = await first.publishedFor(ids);
    const detailsOf = (id: string) =>
      events.map((event) => event.detail as Record<string, unknown>).filter((detail) => detail.id === id);
    // Events that fit are published whole; the one that cannot fit says what it is and where to read the rest.
    expect(detailsOf(ids[0]!)[0]).toMatchObject({ parameters: restart('', '中').parameters });
    for (const detail of detailsOf(alone)) {
      expect(detail).toEqual(
        expect.objectContaining({
          id: alone,
          targetResource: 'large/deployment/whole-body',
          workflowId: 'large-parameters',
          workflowVersion: '1',
          truncated: true,
          href: `/executions/${alone}`,
        }),
      );
      expect(detail).not.toHaveProperty('parameters');
    }
    await first.local.stop();
    running.pop();

    // A restart on the same data folder: the stream is read on from where it was, and nothing waits on a refused call.
    const second = await start();
    const afterRestart = await second.request({ targetResource: 'large/deployment/after-restart', workflowId: 'noop' });
    await second.publishedFor([afterRestart]);
  }, 240_000);
});
