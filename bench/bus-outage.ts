// The outbox under a bus outage: the outbox's EventBridge client refuses every PutEvents for
// 10 s while a burst of executions runs; afterwards every stored transition must still arrive
// on the bus (at least once), and nothing that was not stored.
import { randomUUID } from 'node:crypto';
import type { LocalMode } from '../lib/local/local-mode.js';
import { BENCH_TOKEN, pool, round, say, sleep, within } from './support.js';

/** The audit events that are transitions, and the phase their domain event's detail carries. */
const PHASE_OF_AUDIT_EVENT: Record<string, string> = {
  'workflowexecution.execution.started': 'Running',
  'workflowexecution.workflow.completed': 'Completed',
  'workflowexecution.workflow.failed': 'Failed',
  'workflowexecution.execution.skipped': 'Skipped',
};
const DETAIL_TYPE_OF_PHASE: Record<string, string> = {
  Running: 'WorkflowExecution Started',
  Completed: 'WorkflowExecution Completed',
  Failed: 'WorkflowExecution Failed',
  Skipped: 'WorkflowExecution Skipped',
};

export interface BusOutage {
  outageSeconds: number;
  runs: number;
  /** From the outage's start until every request was answered, and until every run had ended (its transitions stored). */
  burstSeconds: number;
  runsEndedSeconds: number;
  skippedRequests: number;
  /** PutEvents calls the bus refused during the outage (half thrown as errors, half answered with every entry failed). */
  refusedPutEvents: number;
  /** Domain events delivered while the bus was refusing (0: the outage held). */
  deliveredDuringOutage: number;
  expectedTransitions: number;
  deliveredExpected: number;
  eventsDeliveredAfterBusOutage: number;
  /** Deliveries of a transition already delivered (at-least-once: allowed, counted). */
  duplicates: number;
  /** Delivered events that match no stored transition (must be 0), and those whose detail-type does not match their phase. */
  unmatched: number;
  wrongDetailType: number;
  /** From the bus's return until the last expected transition arrived. */
  secondsToDeliverAfterOutage: number | null;
  /** Whether the stream reader and the bus went idle within the wait (60 s after the outage). */
  idleWithinWait: boolean;
}

/**
 * On a local mode of its own (its own table and stream, so every event it delivers belongs to
 * this measurement): `runs` noop runs on distinct targets, one more request on every tenth
 * target (refused: Skipped), all at concurrency 20, starting as the outage starts.
 */
export async function measureBusOutage(local: LocalMode, runs = 200, outageMs = 10_000): Promise<BusOutage> {
  const delivered: { id: string; phase: string; detailType: string; atMs: number }[] = [];
  local.bus.addRule({
    name: 'bench-outage-collector',
    eventBusName: 'lockstep',
    pattern: { source: ['lockstep'] },
    target: async (event) => {
      const detail = event.detail as { id: string; phase: string };
      delivered.push({ id: detail.id, phase: detail.phase, detailType: event['detail-type'], atMs: performance.now() });
    },
  });
  let refusing = false;
  let refusedPutEvents = 0;
  local.outboxClient.middlewareStack.add(
    (next, context) => async (args) => {
      if (!refusing || context.commandName !== 'PutEventsCommand') return next(args);
      refusedPutEvents++;
      if (refusedPutEvents % 2 === 1)
        throw Object.assign(new Error('bench: the bus is unavailable'), { name: 'ServiceUnavailable' });
      const entries = (args.input as { Entries?: unknown[] }).Entries ?? [];
      return {
        output: {
          $metadata: { httpStatusCode: 200 },
          FailedEntryCount: entries.length,
          Entries: entries.map(() => ({
            ErrorCode: 'InternalFailure',
            ErrorMessage: 'bench: the bus refused the entry',
          })),
        },
        response: {},
      } as never;
    },
    { step: 'initialize', priority: 'high', name: 'benchBusOutage' },
  );

  const run = randomUUID().slice(0, 8);
  const post = async (target: string) => {
    const response = await fetch(`${local.urls.api}/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ targetResource: target, workflowId: 'noop' }),
    });
    return { status: response.status, id: ((await response.json()) as { id: string }).id };
  };
  refusing = true;
  const outageStart = performance.now();
  const restored = sleep(outageMs).then(() => {
    refusing = false;
    return performance.now();
  });
  const answers = (
    await pool(runs, 20, async (i) => {
      const target = `bench/deployment/outage-${run}-${i}`;
      const first = await post(target);
      if (first.status !== 201) throw new Error(`a request on a fresh target answered ${first.status}`);
      return i % 10 === 0 ? [first, await post(target)] : [first];
    })
  ).flat();
  const skippedRequests = answers.filter((a) => a.status === 409).length;
  const burstSeconds = round((performance.now() - outageStart) / 1000);
  say(`  ${runs} runs and ${skippedRequests} refused requests sent in ${burstSeconds} s; waiting for the runs to end`);
  await within(
    60_000,
    'the burst runs ending',
    (async () => {
      await local.stepFunctions.idle();
      await local.bus.idle();
    })(),
  );
  const runsEndedSeconds = round((performance.now() - outageStart) / 1000);
  if (runsEndedSeconds * 1000 > outageMs)
    say(
      `  note: the runs ended ${runsEndedSeconds} s after the outage began: the last transitions were stored after the bus came back`,
    );

  // The transitions as stored: every execution's audit trail.
  const expected = new Set<string>();
  for (const { id } of answers) {
    const record = await local.runtime.engine.store.getExecution(id);
    if (!record) throw new Error(`execution ${id} is not stored`);
    for (const event of record.events) {
      const phase = PHASE_OF_AUDIT_EVENT[event.type];
      if (phase) expected.add(`${id}|${phase}`);
    }
  }
  const restoredAt = await restored;
  const deliveredDuringOutage = delivered.filter((d) => d.atMs < restoredAt).length;
  say(
    `  outage over after ${round((restoredAt - outageStart) / 1000)} s (${refusedPutEvents} PutEvents refused); waiting up to 60 s for ${expected.size} transitions`,
  );

  // Bounded: what has not arrived 60 s after the bus came back counts as not delivered.
  const waitEnd = restoredAt + 60_000;
  const arrived = () => new Set(delivered.map((d) => `${d.id}|${d.phase}`));
  while (performance.now() < waitEnd && [...expected].some((key) => !arrived().has(key))) await sleep(50);
  const allArrivedAt = [...expected].every((key) => arrived().has(key))
    ? Math.max(restoredAt, ...delivered.filter((d) => expected.has(`${d.id}|${d.phase}`)).map((d) => d.atMs))
    : undefined;
  let idleWithinWait = true;
  try {
    await within(
      Math.max(1_000, waitEnd - performance.now()),
      'the outbox catching up',
      (async () => {
        await local.streamReader.idle();
        await local.bus.idle();
      })(),
    );
  } catch {
    idleWithinWait = false;
  }

  const seen = new Map<string, number>();
  for (const d of delivered) seen.set(`${d.id}|${d.phase}`, (seen.get(`${d.id}|${d.phase}`) ?? 0) + 1);
  const deliveredExpected = [...expected].filter((key) => seen.has(key)).length;
  return {
    outageSeconds: outageMs / 1000,
    runs,
    burstSeconds,
    runsEndedSeconds,
    skippedRequests,
    refusedPutEvents,
    deliveredDuringOutage,
    expectedTransitions: expected.size,
    deliveredExpected,
    // Not rounded: 0.999 is not 1.
    eventsDeliveredAfterBusOutage: expected.size === 0 ? 0 : deliveredExpected / expected.size,
    duplicates: [...seen.entries()].filter(([key]) => expected.has(key)).reduce((sum, [, n]) => sum + n - 1, 0),
    unmatched: delivered.filter((d) => !expected.has(`${d.id}|${d.phase}`)).length,
    wrongDetailType: delivered.filter((d) => DETAIL_TYPE_OF_PHASE[d.phase] !== d.detailType).length,
    secondsToDeliverAfterOutage: allArrivedAt === undefined ? null : round((allArrivedAt - restoredAt) / 1000),
    idleWithinWait,
  };
}
