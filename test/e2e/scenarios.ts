import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiClient } from '../../lib/cli/api-client.js';
import { until } from '../support/wait.js';

/** Puts a `WorkflowExecution Requested` event on the engine's bus. */
export type RequestEventSender = (detail: Record<string, unknown>) => Promise<void>;

export interface ScenarioContext {
  api: ApiClient;
  sendRequestedEvent: RequestEventSender;
  /** How long to wait for an execution to end. */
  patienceMs: number;
}

export interface Scenario {
  name: string;
  run(context: ScenarioContext): Promise<void>;
}

const runId = randomUUID().slice(0, 8);
const target = (label: string) => `e2e-${runId}/deployment/${label}`;
const encoded = (label: string) => encodeURIComponent(target(label));

async function create(api: ApiClient, label: string, workflowId: string, parameters: Record<string, string> = {}) {
  return api.request('POST', '/executions', { targetResource: target(label), workflowId, parameters });
}

async function ended(context: ScenarioContext, id: string) {
  return until(
    async () => {
      const { body } = await context.api.request('GET', `/executions/${id}`);
      return body.phase === 'Completed' || body.phase === 'Failed' ? body : undefined;
    },
    context.patienceMs,
    `execution ${id} to end`,
    250,
  );
}

/** The API scenarios of the deployed tier: the same code runs against local mode in `npm test`. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'create: an execution runs to Completed',
    async run(context) {
      const created = await create(context.api, 'create', 'noop');
      expect(created.status).toBe(201);
      expect((await ended(context, created.body.id)).phase).toBe('Completed');
    },
  },
  {
    name: 'busy: a second request while the first runs is refused as ResourceBusy',
    async run(context) {
      const first = await create(context.api, 'busy', 'wait', { SECONDS: '60' });
      expect(first.status).toBe(201);
      const second = await create(context.api, 'busy', 'noop');
      expect(second.status).toBe(409);
      expect(second.body.skipDetails).toMatchObject({ reason: 'ResourceBusy', conflictingExecutionId: first.body.id });
      expect((await context.api.request('POST', `/executions/${first.body.id}/cancel`)).status).toBe(202);
    },
  },
  {
    name: 'cooldown: a request right after a run is refused as RecentlyRemediated with Retry-After',
    async run(context) {
      const first = await create(context.api, 'cooldown', 'noop');
      await ended(context, first.body.id);
      const again = await create(context.api, 'cooldown', 'noop');
      expect(again.status).toBe(409);
      expect(again.body.skipDetails.reason).toBe('RecentlyRemediated');
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    },
  },
  {
    name: 'failure and clearance: a failed run blocks the target until a person clears it',
    async run(context) {
      const failed = await create(context.api, 'failure', 'fail', { ERROR: 'States.Timeout', CAUSE: 'e2e' });
      expect((await ended(context, failed.body.id)).failureDetails).toMatchObject({
        reason: 'DeadlineExceeded',
        wasExecutionFailure: true,
      });
      expect((await context.api.request('GET', `/targets/${encoded('failure')}`)).body.state).toBe('Blocked');
      expect((await create(context.api, 'failure', 'noop')).body.skipDetails.reason).toBe('PreviousExecutionFailed');
      const cleared = await context.api.request('POST', `/targets/${encoded('failure')}/clearance`, {
        reason: 'scenario',
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.state).not.toBe('Blocked');
      expect(cleared.body.blockClearances).toHaveLength(1);
    },
  },
  {
    name: 'cancel: a running execution ends Failed/Cancelled',
    async run(context) {
      const running = await create(context.api, 'cancel', 'wait', { SECONDS: '600' });
      const cancelled = await context.api.request('POST', `/executions/${running.body.id}/cancel`);
      expect(cancelled.status).toBe(202);
      expect(cancelled.body.failureDetails.reason).toBe('Cancelled');
      expect((await context.api.request('POST', `/executions/${running.body.id}/cancel`)).status).toBe(409);
    },
  },
  {
    name: 'trigger event: a WorkflowExecution Requested event runs once, even sent twice',
    async run(context) {
      const detail = { targetResource: target('trigger'), workflowId: 'noop', idempotencyKey: `e2e-${runId}-trigger` };
      await context.sendRequestedEvent(detail);
      await context.sendRequestedEvent(detail);
      const items = await until(
        async () => {
          const { body } = await context.api.request('GET', `/executions?targetResource=${encoded('trigger')}`);
          return body.items?.length && body.items.every((e: { phase: string }) => e.phase === 'Completed')
            ? body.items
            : undefined;
        },
        context.patienceMs,
        'the triggered execution to complete',
        250,
      );
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ source: 'event' });
    },
  },
];
