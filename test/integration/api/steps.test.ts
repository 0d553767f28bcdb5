import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

const TEAM_WORKFLOWS = fileURLToPath(new URL('../../support/fixtures/workflows/', import.meta.url));

/** GET /executions/{id}/steps, from the execution history the local Step Functions endpoint keeps, through the HTTP API. */
describe('the steps of an execution', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    t = await startTestLocalMode({}, { workflowsDir: TEAM_WORKFLOWS });
  });
  afterAll(() => t.local.stop());

  const run = async (workflowId: string, parameters: Record<string, string> = {}, targetResource = uniqueTarget()) => {
    const created = await t.call('POST', '/executions', { body: { targetResource, workflowId, parameters } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await t.settle();
    return created.body.id as string;
  };
  const steps = async (id: string) => {
    const response = await t.call('GET', `/executions/${id}/steps`);
    expect(response.status).toBe(200);
    return response.body.items as {
      name: string;
      type: string;
      status: string;
      parent?: string;
      error?: string;
      enteredAt: string;
      exitedAt?: string;
    }[];
  };

  it('lists a completed run’s states in order, with Parallel branches and Map iterations under their parent', async () => {
    const id = await run('drain-nodes', { NODES: 'n1,n2' }, 'pool/node-group/blue');
    expect((await t.call('GET', `/executions/${id}`)).body.phase).toBe('Completed');
    const list = await steps(id);
    expect(list[0]).toMatchObject({ name: 'DrainAndNotify', type: 'Parallel', status: 'Succeeded' });
    expect(list.filter((s) => s.name === 'DrainNode')).toEqual([
      expect.objectContaining({ type: 'Task', status: 'Succeeded', parent: 'EachNode' }),
      expect.objectContaining({ type: 'Task', status: 'Succeeded', parent: 'EachNode' }),
    ]);
    expect(list.find((s) => s.name === 'Notify')).toMatchObject({ parent: 'DrainAndNotify', status: 'Succeeded' });
    expect(list.at(-1)).toMatchObject({ name: 'Done', type: 'Succeed' });
    for (const step of list) expect(step.exitedAt! >= step.enteredAt).toBe(true);
  });

  it('marks the state a failed run failed in, with its error', async () => {
    const id = await run('fail', { ERROR: 'TaskFailed', CAUSE: 'on purpose' });
    const list = await steps(id);
    expect(list.map((s) => [s.name, s.status])).toEqual([
      ['Prepare', 'Succeeded'],
      ['Fail', 'Failed'],
    ]);
    expect(list[1]).toMatchObject({ error: 'TaskFailed' });
  });

  it('marks Caught the state whose error a Catch took, and the run ends in the Fail state it led to', async () => {
    // The team's admin API refuses the first change (409: ScaleRefused) and takes the next (the put-back).
    let puts = 0;
    const admin = createServer((request, response) => {
      if (request.method === 'PUT' && puts++ === 0) return response.writeHead(409).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"replicas":2}');
    });
    await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
      const id = await run(
        'scale-deployment',
        { ADMIN_URL: url, REPLICAS: '5', HOLD_SECONDS: '0' },
        'shop/deployment/steps',
      );
      const list = await steps(id);
      expect(list.map((s) => [s.name, s.status])).toEqual([
        ['ReadParameters', 'Succeeded'],
        ['ReadReplicas', 'Succeeded'],
        ['AlreadyEnough', 'Succeeded'],
        ['ScaleUp', 'Caught'],
        ['PutBack', 'Succeeded'],
        ['ScaleUpFailed', 'Failed'],
      ]);
      expect(list[3]).toMatchObject({ error: 'ScaleRefused' });
    } finally {
      admin.close();
    }
  });

  it('has no steps for an execution that never started, and 404 for one that does not exist', async () => {
    const target = uniqueTarget();
    await run('fail', {}, target);
    const refused = await t.call('POST', '/executions', { body: { targetResource: target, workflowId: 'noop' } });
    expect(refused.status).toBe(409);
    expect(await steps(refused.body.id)).toEqual([]);
    expect((await t.call('GET', '/executions/no-such-execution/steps')).status).toBe(404);
  });
});
