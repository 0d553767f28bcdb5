import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { executionItem } from '../../../lib/adapters/dynamodb/items.js';
import type { DomainEvent } from '../../../lib/domain/domain-events.js';
import type { ExecutionRecord } from '../../../lib/domain/execution.js';
import { admitted, finished, skipped, started } from '../../../lib/domain/transitions.js';
import { createPublisherHandler } from '../../../lib/handlers/publisher-handler.js';
import type { ExecutionChange } from '../../../lib/ports/index.js';
import { publishDomainEvents } from '../../../lib/use-cases/publish-domain-events.js';

const at = new Date('2026-11-25T10:00:00.000Z');
const ref = {
  name: 'wfe-0123456789abcdef-1',
  arn: 'arn:aws:states:us-east-1:123456789012:execution:m:wfe-0123456789abcdef-1',
};
function lifecycle(id: string, sequence: number): ExecutionChange[] {
  const pending = {
    ...admitted(
      {
        targetResource: `a/deployment/${id}`,
        workflowId: 'noop',
        workflowVersion: '1',
        parameters: {},
        requestedBy: 't',
        source: 'api',
      },
      id,
      at,
    ),
    fencingToken: 1,
  };
  const running = { ...started(pending, 1, ref, at, 'lockstep'), fencingToken: 1 };
  const completed = finished(running, { termination: { phase: 'Completed' }, at, actor: 'lockstep' });
  return [
    { sequenceNumber: String(sequence), after: running },
    { sequenceNumber: String(sequence + 1), before: running, after: completed },
  ];
}
const logger = { info: () => {}, warn: () => {}, error: () => {} };

/** The bus, as the port sees it: takes events in order until it refuses one, or fails the whole call. */
function bus(behaviour: { acceptOnly?: number; fail?: boolean }) {
  const taken: DomainEvent[] = [];
  return {
    taken,
    publisher: {
      publish: async (events: readonly DomainEvent[]) => {
        if (behaviour.fail) throw new Error('the bus did not answer');
        const accepted = events.slice(0, behaviour.acceptOnly ?? events.length);
        taken.push(...accepted);
        return accepted.map((event, i) => ({
          event,
          eventId: `id-${taken.length - accepted.length + i}`,
          truncated: false,
        }));
      },
    },
  };
}

describe('publishing stored transitions', () => {
  const changes = [
    ...lifecycle('e-1', 10),
    ...lifecycle('e-2', 20),
    {
      sequenceNumber: '30',
      after: skipped(
        admitted(
          {
            targetResource: 'a/deployment/x',
            workflowId: 'noop',
            workflowVersion: '1',
            parameters: {},
            requestedBy: 't',
            source: 'api',
          },
          'e-3',
          at,
        ),
        { reason: 'ResourceBusy', message: 'busy' },
        at,
      ),
    },
  ];

  it('publishes one event per transition, in stream order', async () => {
    const { publisher, taken } = bus({});
    const outcome = await publishDomainEvents({ publisher, logger }, changes);
    expect(outcome).toMatchObject({ unpublished: 0 });
    expect(outcome.published.map(({ event }) => event)).toEqual(taken);
    expect(taken.map((e) => `${e.execution.id} ${e.execution.phase}`)).toEqual([
      'e-1 Running',
      'e-1 Completed',
      'e-2 Running',
      'e-2 Completed',
      'e-3 Skipped',
    ]);
  });

  it('asks for the stream again from the record of the first event the bus refused', async () => {
    const { publisher } = bus({ acceptOnly: 3 });
    const outcome = await publishDomainEvents({ publisher, logger }, changes);
    expect({ ...outcome, published: outcome.published.length }).toEqual({
      published: 3,
      unpublished: 2,
      retryFrom: '21',
    });
  });

  it('asks for the whole batch again when the call failed (the bus may have taken some: at least once)', async () => {
    const { publisher } = bus({ fail: true });
    expect(await publishDomainEvents({ publisher, logger }, changes)).toEqual({
      published: [],
      unpublished: 5,
      retryFrom: '10',
    });
  });
});

describe('the publisher handler', () => {
  it('logs one "domain event published" line per event the bus took, with its type, execution, target, phase, event id and whether it was truncated', async () => {
    const lines: [string, Record<string, unknown>][] = [];
    const recording = {
      info: (message: string, attributes: Record<string, unknown>) => void lines.push([message, attributes]),
      warn: () => {},
      error: () => {},
    };
    const publisher = {
      publish: async (events: readonly DomainEvent[]) =>
        events.slice(0, 2).map((event, i) => ({ event, truncated: i === 1, ...(i === 0 && { eventId: 'ev-0' }) })),
    };
    const pending = {
      ...admitted(
        {
          targetResource: 'a/deployment/e-9',
          workflowId: 'noop',
          workflowVersion: '1',
          parameters: {},
          requestedBy: 't',
          source: 'api',
        },
        'e-9',
        at,
      ),
      fencingToken: 1,
    };
    const running = { ...started(pending, 1, ref, at, 'lockstep'), fencingToken: 1 };
    const completed = finished(running, { termination: { phase: 'Completed' }, at, actor: 'lockstep' });
    const record = (sequenceNumber: string, after: ExecutionRecord, before?: ExecutionRecord) => ({
      dynamodb: {
        SequenceNumber: sequenceNumber,
        NewImage: marshall(executionItem(after, 3600), { removeUndefinedValues: true }),
        ...(before && { OldImage: marshall(executionItem(before, 3600), { removeUndefinedValues: true }) }),
      },
    });
    const handle = createPublisherHandler({
      publisher,
      logger: recording,
      metrics: { domainEventsUnpublished: () => {} },
    });
    expect(await handle({ Records: [record('90', running), record('91', completed, running)] })).toEqual({
      batchItemFailures: [],
    });
    expect(lines).toEqual([
      [
        'domain event published',
        {
          detailType: 'WorkflowExecution Started',
          executionId: 'e-9',
          targetResource: 'a/deployment/e-9',
          phase: 'Running',
          eventId: 'ev-0',
        },
      ],
      [
        'domain event published',
        {
          detailType: 'WorkflowExecution Completed',
          executionId: 'e-9',
          targetResource: 'a/deployment/e-9',
          phase: 'Completed',
          truncated: true,
        },
      ],
    ]);
  });
});
