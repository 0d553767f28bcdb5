import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
type BusFault = 'none' | 'refuse' | 'lose-answer' | 'smaller-size-limit';

/** A bus whose size limit is below the documented 256 KiB: it refuses, as a whole, a call whose entries total more. */
const SMALLER_SIZE_LIMIT = 64 * 1024;
const entrySize = (entry: { Source?: string; DetailType?: string; Detail?: string; Resources?: string[] }) =>
  [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])].reduce(
    (sum, text) => sum + Buffer.byteLength(text ?? '', 'utf8'),
    0,
  );

let t: TestEngine;
let busFault: BusFault = 'none';
let crashes = 0;
let putEventsCalls = 0;
let oversizedRefusals = 0;

/** A burst of runs that end every way a run can: completed, failed, and skipped (busy). */
async function burst(runs: number): Promise<string[]> {
  const targets = Array.from({ length: runs }, () => uniqueTarget());
  await Promise.all(
    targets.map(async (target, i) => {
      const workflowId = i % 3 === 0 ? 'fail' : 'noop';
      const ask = () =>
        requestExecution(t.engine, {
          targetResource: target,
          workflowId,
          parameters: {},
          requestedBy: 'test',
          source: 'api',
        });
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
        if (busFault === 'smaller-size-limit') {
          const entries = (args.input as { Entries: Parameters<typeof entrySize>[0][] }).Entries;
          if (entries.reduce((sum, entry) => sum + entrySize(entry), 0) >= SMALLER_SIZE_LIMIT) {
            oversizedRefusals++;
            // What the SDK throws when PutEvents answers 400 ValidationException.
            throw Object.assign(new Error('Total size of the entries in the request is over the limit.'), {
              name: 'ValidationException',
              $fault: 'client',
              $metadata: { httpStatusCode: 400 },
            });
          }
        }
        if (busFault === 'refuse') {
          const entries = (args.input as { Entries: unknown[] }).Entries;
          return {
            output: {
              FailedEntryCount: entries.length,
              Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'injected: the bus refused' })),
              $metadata: {},
            },
            response: {},
          };
        }
        const result = await next(args);
        if (busFault === 'lose-answer')
          throw Object.assign(new Error('injected: the answer of PutEvents was lost'), {
            name: 'TimeoutError',
            $metadata: {},
          });
        return result;
      },
      { step: 'initialize', name: 'busFaults', priority: 'high' },
    );
  });
  afterAll(() => t.close());
  afterEach(() => {
    busFault = 'none';
  });

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

  it('when the bus refuses a call as over its size limit: the events go in smaller calls, and one too large alone goes out truncated', async () => {
    busFault = 'smaller-size-limit';
    // Failed runs whose cause is 16,384 three-byte characters: each Started event is 49 KB, each Failed event (cause twice) 98 KB.
    const cause = '中'.repeat(16_384);
    const targets = Array.from({ length: 6 }, () => uniqueTarget());
    for (const target of targets) {
      await requestExecution(t.engine, {
        targetResource: target,
        workflowId: 'fail',
        parameters: { CAUSE: cause },
        requestedBy: 'test',
        source: 'api',
      });
    }
    await requestExecution(t.engine, {
      targetResource: targets[0]!,
      workflowId: 'noop',
      parameters: {},
      requestedBy: 'test',
      source: 'api',
    }); // and a small one behind them
    await settle();
    busFault = 'none';

    expect(oversizedRefusals, 'the bus refused oversized calls').toBeGreaterThan(0);
    const records = await recordsOf(targets);
    const events = eventsOf(records);
    const report = checkDomainEvents(records, events);
    expect(report.violations).toEqual([]);
    expect(report.expected).toBe(6 * 2 + 1);
    const failed = events
      .filter((event) => (event.detail as { phase: string }).phase === 'Failed')
      .map((event) => event.detail as Record<string, unknown>);
    expect(failed).toHaveLength(6);
    for (const detail of failed)
      expect(detail).toMatchObject({
        truncated: true,
        failureDetails: { reason: 'TaskFailed' },
        href: `/executions/${String(detail.id)}`,
      });
    const started = events.filter((event) => (event.detail as { phase: string }).phase === 'Running');
    expect(
      started.every((event) => (event.detail as { parameters?: unknown }).parameters !== undefined),
      'events that fit alone go whole',
    ).toBe(true);
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
