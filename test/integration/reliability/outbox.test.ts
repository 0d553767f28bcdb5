import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../../lib/domain/execution.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { allExecutions, checkDomainEvents, checkInvariants } from '../../support/invariants.js';
import { uniqueTarget } from '../../support/lifecycle.js';

/**
 * The outbox under faults: the bus refusing every event for a while, the bus taking events
 * whose answer is lost, and the publisher crashing after it read the stream and before it
 * published. Through all of them, every transition stored (the audit trail) has its domain
 * event delivered at least once, and no event is delivered that no stored transition
 * stands for. The stream reader is local mode's event source mapping; the handler is the
 * publisher Lambda's.
 */
type BusFault = 'none' | 'refuse' | 'lose-answer';

let t: TestEngine;
let busFault: BusFault = 'none';
let crashes = 0;
let putEventsCalls = 0;

/** A burst of runs that end every way a run can: completed, failed, and skipped (busy). */
async function burst(runs: number): Promise<string[]> {
  const targets = Array.from({ length: runs }, () => uniqueTarget());
  await Promise.all(
    targets.map(async (target, i) => {
      const workflowId = i % 3 === 0 ? 'fail' : 'noop';
      const ask = () => requestExecution(t.engine, { targetResource: target, workflowId, parameters: {}, requestedBy: 'test', source: 'api' });
      await ask();
      if (i % 4 === 0) await ask(); // busy (or cooling down): a Skipped execution
    }),
  );
  return targets;
}

async function recordsOf(targets: string[]): Promise<ExecutionRecord[]> {
  const mine = new Set(targets);
  return (await allExecutions(t.dynamodb, t.tableName)).filter((record) => mine.has(record.execution.targetResource));
}

function eventsOf(records: ExecutionRecord[]) {
  const ids = new Set(records.map((record) => record.execution.id));
  return t.domainEvents.filter((event) => ids.has((event.detail as { id: string }).id));
}

async function settle(): Promise<void> {
  await t.sfn.idle();
  await t.flushEvents();
  await t.published();
}

describe('the outbox delivers every stored transition at least once and invents none', () => {
  beforeAll(async () => {
    t = await createTestEngine({
      wrapPublisher: (handle) => async (event) => {
        // A crash after the stream was read, before anything was published: the batch is read again.
        if (crashes > 0) {
          crashes--;
          throw new Error('injected: the publisher crashed between reading the stream and publishing');
        }
        return handle(event);
      },
    });
    t.outboxClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'PutEventsCommand') return next(args);
        putEventsCalls++;
        if (busFault === 'refuse') {
          const entries = (args.input as { Entries: unknown[] }).Entries;
          return { output: { FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'injected: the bus refused' })), $metadata: {} }, response: {} };
        }
        const result = await next(args);
        if (busFault === 'lose-answer') throw Object.assign(new Error('injected: the answer of PutEvents was lost'), { name: 'TimeoutError', $metadata: {} });
        return result;
      },
      { step: 'initialize', name: 'busFaults', priority: 'high' },
    );
  });
  afterAll(() => t.close());

  it('with a healthy bus: one event per transition, in the shape the audit trail gives', async () => {
    const records = await recordsOf(await burst(12).then(async (targets) => (await settle(), targets)));
    const report = checkDomainEvents(records, eventsOf(records));
    expect(report.violations).toEqual([]);
    expect(report.expected).toBeGreaterThan(12);
    expect(report.duplicates).toBe(0);
  });

  it('when the bus refuses every event for a while: all are delivered once it takes them again', async () => {
    busFault = 'refuse';
    const refusedBefore = putEventsCalls;
    const targets = await burst(12);
    await t.sfn.idle();
    await t.flushEvents();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(putEventsCalls - refusedBefore, 'the publisher kept trying while refused').toBeGreaterThan(1);
    const meanwhile = eventsOf(await recordsOf(targets));
    expect(meanwhile, 'nothing got through the refusing bus').toEqual([]);
    busFault = 'none';
    await settle();

    const records = await recordsOf(targets);
    const report = checkDomainEvents(records, eventsOf(records));
    expect(report.violations).toEqual([]);
    expect(t.metricLines.some((line) => line.includes('lockstep_domain_events_unpublished_total'))).toBe(true);
    expect((await checkInvariants(t.dynamodb, t.tableName, { expectSettled: true })).violations).toEqual([]);
  });

  it('when the answers of PutEvents are lost: the events are published again (duplicates, never gaps)', async () => {
    busFault = 'lose-answer';
    const targets = await burst(6);
    await t.sfn.idle();
    await t.flushEvents();
    await new Promise((resolve) => setTimeout(resolve, 300));
    busFault = 'none';
    await settle();

    const records = await recordsOf(targets);
    const report = checkDomainEvents(records, eventsOf(records));
    expect(report.violations).toEqual([]);
    expect(report.duplicates, 'the lost answers made the publisher send events again').toBeGreaterThan(0);
  });

  it('when the publisher crashes between reading the stream and publishing: the batch is read and published again', async () => {
    crashes = 3;
    const targets = await burst(6);
    await settle();
    expect(crashes, 'every injected crash happened').toBe(0);

    const records = await recordsOf(targets);
    const report = checkDomainEvents(records, eventsOf(records));
    expect(report.violations).toEqual([]);
  });
});
