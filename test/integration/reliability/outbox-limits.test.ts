import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../../lib/adapters/eventbridge/domain-event-publisher.js';
import type { Execution } from '../../../lib/domain/execution.js';
import { admitted, finished, skipped, started } from '../../../lib/domain/transitions.js';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local.js';
import { startEventBridgeEndpoint } from '../../../lib/local/eventbridge/http-endpoint.js';
import { type DeliveredEvent, LocalEventBus } from '../../../lib/local/eventbridge/local-event-bus.js';
import type { ListeningServer } from '../../../lib/local/http-listen.js';
import type { ExecutionChange } from '../../../lib/ports/index.js';
import { publishDomainEvents } from '../../../lib/use-cases/publish-domain-events.js';
import { TEST_ENDPOINT_AUTHENTICATE, TEST_ENDPOINT_CREDENTIALS } from '../../support/engine.js';
import { ManualClock } from '../../support/manual-clock.js';

/**
 * The outbox against the local EventBridge endpoint, over random batches of stored
 * transitions whose sizes go up to every documented limit (16,384-character parameter
 * values of one- to four-byte characters and of characters JSON escapes, bodies of 256 KiB
 * and over, 1,024-character targets, many events): every transition is published, and no
 * PutEvents call exceeds the service's limits, counted the way AWS documents it.
 */
const MAX_ENTRIES = 10;
const MAX_TOTAL_BYTES = 256 * 1024;

/** "Calculating PutEvents event entry size" (EventBridge user guide): Time 14 bytes if given; Source, DetailType, Detail, each resource in UTF-8. */
function entrySize(entry: {
  Time?: unknown;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
}): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time !== undefined ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

const at = new Date('2026-12-01T10:00:00.000Z');
// One-, two-, three- and four-byte characters, and characters JSON escapes (a quote doubles, a control character becomes six bytes).
const characters = fc.constantFrom('a', 'é', '中', '😀', '"', '\\', '\u0001', '\u2028');
const value = fc.oneof(
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.tuple(characters, fc.integer({ min: 0, max: 16_384 })).map(([c, n]) => c.repeat(n).slice(0, 16_384)),
  },
  { weight: 2, arbitrary: characters.map((c) => c.repeat(16_384).slice(0, 16_384)) },
);
const parameters = fc
  .uniqueArray(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/), { maxLength: 8, size: 'max' })
  .chain((names) =>
    fc.tuple(...names.map(() => value)).map((values) => Object.fromEntries(names.map((name, i) => [name, values[i]!]))),
  );
const target = fc.oneof(
  fc.constant('payments/deployment/api'),
  fc
    .tuple(characters, fc.integer({ min: 1, max: 1000 }))
    .map(([c, n]) => `ns/deployment/${c.repeat(n).slice(0, 1000)}`),
);
const ending = fc.constantFrom('Completed', 'Failed', 'Skipped', 'Running');
const large = fc.record({ parameters, target, ending, cause: value });
const small = fc.record({
  parameters: fc.dictionary(fc.stringMatching(/^[A-Z]{1,8}$/), fc.string({ maxLength: 40 }), { maxKeys: 3 }),
  target: fc.constant('payments/deployment/api'),
  ending,
  cause: fc.string({ maxLength: 40 }),
});
// Mostly small executions, so that calls fill up by count as well as by size.
const execution = fc.oneof({ weight: 2, arbitrary: small }, { weight: 1, arbitrary: large });

type Sample = { parameters: Record<string, string>; target: string; ending: string; cause: string };

const fourByteValue = (kib: number) => '😀'.repeat((kib * 1024) / 4);
const REACHES_EVERY_LIMIT: Sample[] = [
  // 8 × 64 KiB: too large for a call alone, sent truncated.
  {
    parameters: Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((k) => [k, fourByteValue(64)])),
    target: 'limits/deployment/too-large',
    ending: 'Completed',
    cause: 'done',
  },
  // 2 × 64 KiB: whole, and over half of a call.
  {
    parameters: { A: fourByteValue(64), B: fourByteValue(64) },
    target: 'limits/deployment/half',
    ending: 'Failed',
    cause: 'failed',
  },
  // Small ones, enough to fill calls by count.
  ...Array.from({ length: 12 }, (_, i) => ({
    parameters: { N: String(i) },
    target: `limits/deployment/small-${i}`,
    ending: 'Completed',
    cause: 'done',
  })),
];

/** The stored writes of one execution's life, as the table's stream carries them. */
function lifecycle(sample: Sample, id: string, next: () => string): ExecutionChange[] {
  const request = {
    targetResource: sample.target,
    workflowId: 'large',
    workflowVersion: '1',
    parameters: sample.parameters,
    requestedBy: 'test',
    source: 'api' as const,
  };
  const pending = { ...admitted(request, id, at), fencingToken: 1 };
  if (sample.ending === 'Skipped')
    return [{ sequenceNumber: next(), after: skipped(pending, { reason: 'ResourceBusy', message: sample.cause }, at) }];
  const ref = {
    name: 'wfe-0123456789abcdef-1',
    arn: `arn:aws:states:us-east-1:123456789012:execution:lockstep-large-v1:wfe-0123456789abcdef-1`,
  };
  const running = { ...started(pending, 1, ref, at, 'lockstep'), fencingToken: 1 };
  const changes: ExecutionChange[] = [{ sequenceNumber: next(), after: running }];
  if (sample.ending === 'Running') return changes;
  const termination =
    sample.ending === 'Completed'
      ? ({ phase: 'Completed' } as const)
      : ({
          phase: 'Failed',
          failure: { reason: 'TaskFailed', message: sample.cause, wasExecutionFailure: true },
        } as const);
  changes.push({
    sequenceNumber: next(),
    before: running,
    after: finished(running, { termination, at, actor: 'lockstep' }),
  });
  return changes;
}

describe('the outbox against the service limits (property)', () => {
  const bus = new LocalEventBus({ clock: new ManualClock() });
  const delivered: DeliveredEvent[] = [];
  bus.addRule({
    name: 'collect',
    eventBusName: 'lockstep',
    pattern: { source: ['lockstep'] },
    target: async (event) => void delivered.push(event),
  });
  const calls: { entries: number; bytes: number }[] = [];
  let endpoint: ListeningServer;
  let client: EventBridgeClient;

  beforeAll(async () => {
    endpoint = await startEventBridgeEndpoint(bus, TEST_ENDPOINT_AUTHENTICATE.events);
    client = new EventBridgeClient({
      endpoint: endpoint.url,
      region: LOCAL_REGION,
      credentials: TEST_ENDPOINT_CREDENTIALS,
      maxAttempts: 1,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutEventsCommand') {
          const entries = (args.input as { Entries: Parameters<typeof entrySize>[0][] }).Entries;
          calls.push({ entries: entries.length, bytes: entries.reduce((sum, entry) => sum + entrySize(entry), 0) });
        }
        return next(args);
      },
      { step: 'initialize', name: 'measure' },
    );
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.close();
  });

  it('the local endpoint refuses, as AWS does, a call whose entries total 256 KiB or more, one entry alone included', async () => {
    /** An entry of exactly `size` bytes as AWS counts them: Source 8, DetailType 1, a Detail of `{"v":"…"}` (8 bytes and the text). */
    const entry = (size: number) => {
      const text = size - 8 - 1 - 8;
      return {
        EventBusName: 'lockstep',
        Source: 'lockstep',
        DetailType: 'T',
        Detail: JSON.stringify({ v: '中'.repeat(Math.floor(text / 3)) + 'a'.repeat(text % 3) }),
      };
    };
    const put = (entries: ReturnType<typeof entry>[]) => client.send(new PutEventsCommand({ Entries: entries }));
    const justUnder = entry(MAX_TOTAL_BYTES - 1);
    expect(entrySize(justUnder)).toBe(MAX_TOTAL_BYTES - 1);
    expect((await put([justUnder])).FailedEntryCount).toBe(0);
    const whole = entry(MAX_TOTAL_BYTES);
    expect(entrySize(whole)).toBe(MAX_TOTAL_BYTES);
    await expect(put([whole])).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
    const half = entry(MAX_TOTAL_BYTES / 2);
    await expect(put([half, half])).rejects.toMatchObject({ name: 'ValidationException' });
    // With a Time, 14 bytes more: the call that fitted no longer does.
    await expect(put([{ ...justUnder, Time: at } as never])).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('publishes every stored transition, in calls within 10 entries and 256 KiB', async () => {
    const logger = { info: () => {}, warn: () => {}, error: () => {} };
    let runs = 0;
    const seen = { truncated: 0, whole: 0, callsOverHalfTheLimit: 0, fullCalls: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(execution, { minLength: 1, maxLength: 30 }), async (samples) => {
        delivered.length = 0;
        calls.length = 0;
        let sequence = 0;
        const next = () => String(++sequence).padStart(21, '0');
        const run = ++runs;
        const changes = samples.flatMap((sample, i) => lifecycle(sample, `e-${run}-${i}`, next));
        const expected = new Map<string, Execution>();
        for (const change of changes)
          expected.set(`${change.after.execution.id} ${change.after.execution.phase}`, change.after.execution);

        const outcome = await publishDomainEvents(
          { publisher: new EventBridgePublisher(client, 'lockstep'), logger },
          changes,
        );
        await bus.idle();

        expect(outcome.unpublished, 'nothing is left for another try').toBe(0);
        for (const call of calls) {
          if (call.bytes > MAX_TOTAL_BYTES / 2) seen.callsOverHalfTheLimit++;
          if (call.entries === MAX_ENTRIES) seen.fullCalls++;
          expect(call.entries).toBeGreaterThanOrEqual(1);
          expect(call.entries).toBeLessThanOrEqual(MAX_ENTRIES);
          expect(call.bytes).toBeLessThan(MAX_TOTAL_BYTES);
        }
        const published = new Set<string>();
        for (const event of delivered) {
          const detail = event.detail as Execution & { truncated?: boolean; href?: string };
          const key = `${detail.id} ${detail.phase}`;
          published.add(key);
          const stored = expected.get(key);
          expect(stored, `${key} stands for a stored transition`).toBeDefined();
          if (detail.truncated) {
            seen.truncated++;
            // Only what could not be sent whole is cut, and it still says what it is and where the rest is.
            expect(
              entrySize({ Source: 'lockstep', DetailType: event['detail-type'], Detail: JSON.stringify(stored) }),
            ).toBeGreaterThanOrEqual(MAX_TOTAL_BYTES);
            expect(detail).toMatchObject({
              id: stored!.id,
              targetResource: stored!.targetResource,
              workflowId: stored!.workflowId,
              workflowVersion: stored!.workflowVersion,
              href: `/executions/${stored!.id}`,
            });
            if (stored!.skipDetails) expect(detail.skipDetails?.reason).toBe(stored!.skipDetails.reason);
            if (stored!.failureDetails) expect(detail.failureDetails?.reason).toBe(stored!.failureDetails.reason);
          } else {
            seen.whole++;
            expect(detail).toEqual(stored);
          }
        }
        expect(
          [...expected.keys()].filter((key) => !published.has(key)),
          'transitions never published',
        ).toEqual([]);
      }),
      // Besides 40 random runs, one that reaches every limit the assertions below count on, so that they never
      // depend on what the generator happened to draw: an event too large alone, one over half a call, many small.
      { numRuns: 40, examples: [[REACHES_EVERY_LIMIT]] },
    );
    // The runs reached the limits: events too large alone, calls filled by size and by count.
    expect(seen.truncated).toBeGreaterThan(0);
    expect(seen.whole).toBeGreaterThan(0);
    expect(seen.callsOverHalfTheLimit).toBeGreaterThan(0);
    expect(seen.fullCalls).toBeGreaterThan(0);
  }, 300_000);
});
