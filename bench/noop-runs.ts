// noop runs through local mode's HTTP API, each followed to its end: the `WorkflowExecution
// Completed|Failed` domain event, published from the table's stream. An end that arrives
// before the answer to POST /executions is kept until the run asks for it, so following a run
// adds no request of its own to DynamoDB Local.
import type { LocalMode } from '../lib/local/local-mode.js';
import { BENCH_TOKEN, sleep, within } from './support.js';

export class RunFollower {
  private readonly waiting = new Map<string, () => void>();
  /** Ends heard before their run asked (at most those of the runs in flight). */
  private readonly early = new Set<string>();
  private readonly local: LocalMode;

  constructor(local: LocalMode, name: string) {
    this.local = local;
    local.bus.addRule({
      name,
      eventBusName: 'lockstep',
      pattern: { source: ['lockstep'], 'detail-type': ['WorkflowExecution Completed', 'WorkflowExecution Failed'] },
      target: async (event) => {
        const { id } = event.detail as { id: string };
        const resolve = this.waiting.get(id);
        if (resolve) resolve();
        else this.early.add(id);
      },
    });
  }

  /** POST /executions until admitted (a target whose last run is still being released answers 409), then waits for its end. */
  async run(target: string, workflowId = 'noop', parameters: Record<string, string> = {}): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${this.local.urls.api}/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ targetResource: target, workflowId, parameters }),
      });
      const body = (await response.json()) as { id: string };
      if (response.status === 409 && attempt < 200) {
        await sleep(5);
        continue;
      }
      if (response.status !== 201)
        throw new Error(`POST /executions answered ${response.status}: ${JSON.stringify(body)}`);
      await this.end(body.id);
      return body.id;
    }
  }

  /** Starts a run and returns its id without waiting for its end. */
  async start(target: string, workflowId: string, parameters: Record<string, string> = {}): Promise<string> {
    const response = await fetch(`${this.local.urls.api}/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ targetResource: target, workflowId, parameters }),
    });
    const body = (await response.json()) as { id: string };
    if (response.status !== 201)
      throw new Error(`POST /executions answered ${response.status}: ${JSON.stringify(body)}`);
    return body.id;
  }

  private end(id: string): Promise<void> {
    if (this.early.delete(id)) return Promise.resolve();
    return within(
      30_000,
      `the end of run ${id}`,
      new Promise<void>((resolve) => this.waiting.set(id, resolve)),
    ).finally(() => this.waiting.delete(id));
  }
}
