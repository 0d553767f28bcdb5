import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { executionItem } from '../../../lib/adapters/dynamodb/items.js';
import { awaitingApproval, decided } from '../../../lib/domain/approval-transitions.js';
import { domainEventsOf, truncatedDetailOf } from '../../../lib/domain/domain-events.js';
import type { ExecutionRecord } from '../../../lib/domain/execution.js';
import { idleTarget } from '../../../lib/domain/target.js';
import { admitted, cleared, finished, skipped, started } from '../../../lib/domain/transitions.js';
import { executionChanges } from '../../../lib/handlers/stream-changes.js';

const at = new Date('2026-11-25T10:00:00.000Z');
const later = new Date('2026-11-25T10:00:05.000Z');
const request = {
  targetResource: 'payments/deployment/api',
  workflowId: 'noop',
  workflowVersion: '1',
  parameters: {},
  requestedBy: 'test',
  source: 'api' as const,
};
const ref = {
  name: 'wfe-0123456789abcdef-1',
  arn: 'arn:aws:states:us-east-1:123456789012:execution:lockstep-noop-v1:wfe-0123456789abcdef-1',
};
const pending = { ...admitted(request, 'e-1', at), fencingToken: 1 };
const running = { ...started(pending, 1, ref, at, 'lockstep'), fencingToken: 1 };
const completed = finished(running, { termination: { phase: 'Completed' }, at: later, actor: 'lockstep' });
const types = (events: ReturnType<typeof domainEventsOf>) => events.map((e) => [e.type, e.execution.phase]);

describe('domain events from stored writes', () => {
  it('announces each transition once, with the execution as stored', () => {
    expect(domainEventsOf({ after: running })).toEqual([
      { type: 'WorkflowExecution Started', execution: running.execution },
    ]);
    expect(domainEventsOf({ before: running, after: completed })).toEqual([
      { type: 'WorkflowExecution Completed', execution: completed.execution },
    ]);
    const refused = skipped(pending, { reason: 'ResourceBusy', message: 'busy', conflictingExecutionId: 'e-0' }, at);
    expect(types(domainEventsOf({ after: refused }))).toEqual([['WorkflowExecution Skipped', 'Skipped']]);
  });

  it('announces a failure to start (Pending → Failed) as Failed only: nothing started', () => {
    const failed = finished(pending, {
      termination: {
        phase: 'Failed',
        failure: { reason: 'ConfigurationError', message: 'no', wasExecutionFailure: false },
      },
      at: later,
      actor: 'lockstep',
    });
    expect(types(domainEventsOf({ after: failed }))).toEqual([['WorkflowExecution Failed', 'Failed']]);
  });

  it('announces a start overtaken by its end as both: Started with the execution as it stood while Running, then Completed', () => {
    const overtaken = finished(pending, {
      termination: { phase: 'Completed' },
      at: later,
      actor: 'lockstep',
      overtakenStart: { executionRef: ref, startTime: at, actor: 'lockstep' },
    });
    const events = domainEventsOf({ after: overtaken });
    expect(types(events)).toEqual([
      ['WorkflowExecution Started', 'Running'],
      ['WorkflowExecution Completed', 'Completed'],
    ]);
    expect(events[0]!.execution).toEqual(running.execution);
    expect(events[1]!.execution).toEqual(overtaken.execution);
  });

  it('announces nothing for a write that adds no transition: a repeated write, a block clearance', () => {
    expect(domainEventsOf({ before: completed, after: completed })).toEqual([]);
    const failed = finished(running, {
      termination: { phase: 'Failed', failure: { reason: 'TaskFailed', message: 'x', wasExecutionFailure: true } },
      at: later,
      actor: 'lockstep',
    });
    const target = {
      ...idleTarget(request.targetResource),
      blockReason: 'PreviousExecutionFailed' as const,
      blockedByExecutionId: 'e-1',
    };
    const { blockingRecord } = cleared(target, {
      clearedBy: 'me',
      reason: 'fixed',
      at: later,
      blocking: failed,
      maxKept: 5,
    });
    expect(blockingRecord!.events.at(-1)!.type).toBe('workflowexecution.block.cleared');
    expect(domainEventsOf({ before: failed, after: blockingRecord! })).toEqual([]);
  });
});

describe('the detail of an event too large for the bus', () => {
  it('keeps the identity, phase, times and reasons, says it is truncated and where the rest is, and drops the unbounded fields', () => {
    const failed = finished(running, {
      termination: {
        phase: 'Failed',
        failure: { reason: 'TaskFailed', message: '中'.repeat(16_384), failedStep: 'Go', wasExecutionFailure: true },
      },
      at: later,
      actor: 'lockstep',
    });
    expect(truncatedDetailOf({ ...failed.execution, parameters: { A: 'x'.repeat(16_384) } })).toEqual({
      id: 'e-1',
      targetResource: 'payments/deployment/api',
      workflowId: 'noop',
      workflowVersion: '1',
      correlationId: 'e-1',
      source: 'api',
      phase: 'Failed',
      createdAt: at.toISOString(),
      startTime: at.toISOString(),
      completionTime: later.toISOString(),
      durationSeconds: 5,
      failureDetails: { reason: 'TaskFailed', wasExecutionFailure: true, failedAt: later.toISOString() },
      truncated: true,
      href: '/executions/e-1',
    });
  });

  it('is a few KiB at most, whatever the execution holds, with the longest target and correlation id allowed', () => {
    // 1,024 characters that JSON escapes to six bytes each, and a 256-character correlation id likewise.
    const longest = {
      ...running.execution,
      targetResource: '\u0001'.repeat(1024),
      correlationId: '\u0001'.repeat(256),
      workflowId: 'w'.repeat(128),
      workflowVersion: 'v'.repeat(64),
    };
    const skippedLongest = skipped(
      { execution: { ...longest, phase: 'Pending' }, events: [] },
      { reason: 'ResourceBusy', message: '中'.repeat(100_000) },
      at,
    );
    for (const execution of [longest, skippedLongest.execution])
      expect(Buffer.byteLength(JSON.stringify(truncatedDetailOf(execution)))).toBeLessThan(16 * 1024);
  });
});

describe('the stream records of the table (the Lambda event shape)', () => {
  const record = (sequenceNumber: string, after: Record<string, unknown>, before?: Record<string, unknown>) => ({
    eventID: `id-${sequenceNumber}`,
    eventName: before ? 'MODIFY' : 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1_795_600_000,
      Keys: marshall({ PK: after.PK, SK: after.SK }),
      NewImage: marshall(after, { removeUndefinedValues: true }),
      ...(before && { OldImage: marshall(before, { removeUndefinedValues: true }) }),
      SequenceNumber: sequenceNumber,
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/lockstep/stream/2026-11-25T00:00:00.000',
  });
  const item = (r: ExecutionRecord) => executionItem(r, 3600);

  it('reads execution writes in order with their images, and leaves out other items and deletions', () => {
    const target = { PK: 'T#abc', SK: 'TARGET', entity: 'target', fencingToken: 1 };
    const changes = executionChanges([
      record('100', target),
      record('101', item(running)),
      record('102', item(completed), item(running)),
      { eventName: 'REMOVE', dynamodb: { OldImage: marshall(item(completed)), SequenceNumber: '103' } },
    ]);
    expect(changes.map((c) => c.sequenceNumber)).toEqual(['101', '102']);
    expect(changes[0]).toEqual({
      sequenceNumber: '101',
      after: { execution: running.execution, events: running.events },
    });
    expect(changes[1]!.before?.execution).toEqual(running.execution);
    expect(changes.flatMap((change) => types(domainEventsOf(change)))).toEqual([
      ['WorkflowExecution Started', 'Running'],
      ['WorkflowExecution Completed', 'Completed'],
    ]);
  });

  describe('the AwaitingApproval event', () => {
    const terms = { timeoutSeconds: 900, approvals: 2 };
    const waiting = { ...awaitingApproval(request, 'e-2', at, terms), fencingToken: 2 };
    const first = decided(waiting, { by: 'token:bob', decision: 'approve', at: later });
    if (first.outcome !== 'recorded') throw new Error('expected a recorded decision');
    const second = decided({ ...first.holder, fencingToken: 2 }, { by: 'token:carol', decision: 'approve', at: later });
    if (second.outcome !== 'approved') throw new Error('expected an approval');
    const target = (holder?: unknown) => ({ PK: 'T#abc', SK: 'TARGET', entity: 'target', fencingToken: 2, holder });

    it('is announced once, by the target write that admits it; its decisions, its start and its end announce no second one', () => {
      const approvedRunning = started(second.holder, 2, ref, later, 'lockstep');
      const changes = executionChanges([
        record('200', target(waiting), target()),
        record('201', target(first.holder), target(waiting)),
        record('202', target(second.holder), target(first.holder)),
        record('203', item(approvedRunning)),
        record('204', target(), target(second.holder)),
      ]);
      expect(changes.map((c) => c.sequenceNumber)).toEqual(['200', '201', '202', '203']);
      expect(changes.flatMap((change) => types(domainEventsOf(change)))).toEqual([
        ['WorkflowExecution AwaitingApproval', 'AwaitingApproval'],
        ['WorkflowExecution Started', 'Running'],
      ]);
      expect(domainEventsOf(changes[0]!)[0]!.execution).toEqual(waiting.execution);
    });

    it('a new holder of a target that another execution held is announced as its own admission', () => {
      const previous = { ...awaitingApproval(request, 'e-1', at, terms), fencingToken: 1 };
      const [change] = executionChanges([record('300', target(waiting), target(previous))]);
      expect(change!.before).toBeUndefined();
      expect(types(domainEventsOf(change!))).toEqual([['WorkflowExecution AwaitingApproval', 'AwaitingApproval']]);
    });
  });
});
