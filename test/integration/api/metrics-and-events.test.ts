import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredEvent } from '../../../lib/local/eventbridge/local-event-bus.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

type Emf = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
};

/** The EMF metrics named `name`, as [dimension value, metric value] pairs. */
function emitted(lines: Record<string, unknown>[], name: string, dimension: string): [unknown, unknown][] {
  return (lines as Emf[])
    .filter((line) => line._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === name))
    .map((line) => {
      const [directive] = line._aws.CloudWatchMetrics;
      expect(directive!.Namespace).toBe('Lockstep');
      expect(directive!.Dimensions).toEqual([[dimension]]);
      return [line[dimension], line[name]];
    });
}

describe('metrics (EMF) and domain events', () => {
  let t: TestLocalMode;
  const domainEvents: DeliveredEvent[] = [];
  beforeAll(async () => {
    t = await startTestLocalMode();
    t.local.bus.addRule({
      name: 'collect',
      eventBusName: 'lockstep',
      pattern: { source: ['lockstep'] },
      target: async (event) => void domainEvents.push(event),
    });
  });
  afterAll(() => t.local.stop());

  it('counts workflowexecution_total{outcome=Completed} and its duration after a success', async () => {
    const mark = t.metricLines.length;
    await t.call('POST', '/executions', { body: { targetResource: uniqueTarget(), workflowId: 'noop' } });
    await t.settle();

    const lines = t.metricsSince(mark);
    expect(emitted(lines, 'workflowexecution_total', 'outcome')).toEqual([['Completed', 1]]);
    expect(emitted(lines, 'workflowexecution_duration_seconds', 'outcome')).toEqual([
      ['Completed', expect.any(Number)],
    ]);
    // High-cardinality values are metadata, never dimensions.
    expect(lines[0]).toMatchObject({ executionId: expect.any(String), targetResource: expect.any(String) });
  });

  it('counts workflowexecution_total{outcome=Failed} after a failure', async () => {
    const mark = t.metricLines.length;
    await t.call('POST', '/executions', { body: { targetResource: uniqueTarget(), workflowId: 'fail' } });
    await t.settle();

    expect(emitted(t.metricsSince(mark), 'workflowexecution_total', 'outcome')).toEqual([['Failed', 1]]);
  });

  it('counts workflowexecution_skip_total{reason=ResourceBusy} after a refused admission', async () => {
    const target = uniqueTarget();
    const holder = await t.call('POST', '/executions', {
      body: { targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } },
    });
    const mark = t.metricLines.length;

    await t.call('POST', '/executions', { body: { targetResource: target, workflowId: 'noop' } });

    expect(emitted(t.metricsSince(mark), 'workflowexecution_skip_total', 'reason')).toEqual([['ResourceBusy', 1]]);
    await t.call('POST', `/executions/${holder.body.id}/cancel`);
  });

  it('publishes WorkflowExecution Started and Completed to the engine bus with the execution as detail', async () => {
    const created = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'noop' },
    });
    await t.settle();

    const mine = domainEvents.filter((e) => (e.detail as { id: string }).id === created.body.id);
    expect(mine.map((e) => e['detail-type']).sort()).toEqual([
      'WorkflowExecution Completed',
      'WorkflowExecution Started',
    ]);
    expect(mine.every((e) => e.source === 'lockstep')).toBe(true);
    expect(mine.find((e) => e['detail-type'] === 'WorkflowExecution Completed')?.detail).toMatchObject({
      id: created.body.id,
      phase: 'Completed',
    });
  });
});
