import { randomUUID } from 'node:crypto';
import { fitsInOneCall, putEventsEntrySize, type SizedEntry } from '../../adapters/eventbridge/put-events-limits.js';
import type { Clock } from '../../ports/index.js';
import { AwsServiceError } from '../aws-json-endpoint.js';
import { type EventPattern, matchesPattern } from './event-pattern.js';

/** An event as EventBridge delivers it to a target. */
export interface DeliveredEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date | string | number;
}

export interface Rule {
  name: string;
  eventBusName: string;
  pattern: EventPattern;
  target: (event: DeliveredEvent) => Promise<unknown>;
}

export interface LocalEventBusOptions {
  clock: Clock;
  region?: string;
  accountId?: string;
  /** Delivery attempts per event and rule before it is given up (EventBridge retries too, then sends to a DLQ). */
  maxAttempts?: number;
  onDeliveryFailure?: (rule: string, event: DeliveredEvent, error: unknown) => void;
  /** Events kept for `redeliver`, the most recent ones. Default: 1,000. */
  maxRetainedEvents?: number;
}

const DEFAULT_BUS = 'default';
const DEFAULT_MAX_RETAINED_EVENTS = 1_000;

/**
 * EventBridge on one machine: PutEvents onto named buses, rules that route matching events
 * to in-process targets, delivered asynchronously and at least once, as on AWS.
 *
 * Memory is bounded: only the last `maxRetainedEvents` events put or published (default
 * 1,000) are kept for `redeliver`; deliveries in flight hold their own event until they end.
 */
export class LocalEventBus {
  private readonly rules: Rule[] = [];
  /** The most recent events, oldest first, for `redeliver`. */
  private readonly delivered = new Map<string, DeliveredEvent>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly region: string;
  private readonly accountId: string;
  private readonly maxRetained: number;

  constructor(private readonly options: LocalEventBusOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    const max = options.maxRetainedEvents ?? DEFAULT_MAX_RETAINED_EVENTS;
    if (!Number.isInteger(max) || max < 0)
      throw new RangeError(`maxRetainedEvents must be a whole number ≥ 0, not ${max}`);
    this.maxRetained = max;
  }

  addRule(rule: Rule): void {
    this.rules.push(rule);
  }

  /** The rules in the order they were added, as ListRules describes them (without their targets). */
  listRules(): Omit<Rule, 'target'>[] {
    return this.rules.map(({ name, eventBusName, pattern }) => ({ name, eventBusName, pattern }));
  }

  /**
   * PutEvents: each entry is validated on its own, as the service does (entries come from the
   * request, unchecked). A call whose entries together are over the service's size limit is
   * refused as a whole, as AWS refuses it (`ValidationException`), and nothing of it is put.
   */
  putEvents(entries: PutEventsEntry[]): {
    FailedEntryCount: number;
    Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
  } {
    const size = entries.reduce(
      (sum, entry: unknown) =>
        sum + (entry !== null && typeof entry === 'object' ? putEventsEntrySize(entry as SizedEntry) : 0),
      0,
    );
    if (!fitsInOneCall(size))
      throw new AwsServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
    const results = entries.map((entry: unknown) => {
      const invalid = invalidEntry(entry);
      if (invalid) return { ErrorCode: 'InvalidArgument', ErrorMessage: invalid };
      return this.putEntry(entry as PutEventsEntry);
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** One well-formed entry: its Detail read, its event published. */
  private putEntry(entry: PutEventsEntry): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail!);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object' };
    const time =
      entry.Time === undefined || entry.Time === null
        ? this.options.clock.now()
        : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
    if (Number.isNaN(time.getTime()))
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Time is not a valid timestamp' };
    const event: DeliveredEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType!,
      source: entry.Source!,
      account: this.accountId,
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources: entry.Resources ?? [],
      detail,
    };
    this.publish(event, busName(entry.EventBusName));
    return { EventId: event.id };
  }

  /** Puts an event that an AWS service emits (Step Functions status changes land on the default bus). */
  publish(event: DeliveredEvent, eventBusName = DEFAULT_BUS): void {
    this.retain(event);
    for (const rule of this.rules) {
      if (rule.eventBusName === eventBusName && matchesPattern(rule.pattern, event)) this.deliver(rule, event);
    }
  }

  /** Delivers an event again to every rule it matched: what at-least-once delivery looks like. */
  redeliver(eventId: string, eventBusName?: string): void {
    const event = this.delivered.get(eventId);
    if (!event)
      throw new Error(
        `no event ${eventId} is kept for redelivery: it was never put, or is older than the last ${this.maxRetained} events`,
      );
    this.publish(event, eventBusName);
  }

  /** How much the bus holds: events kept for redelivery, and deliveries not yet ended. */
  retained(): { events: number; deliveriesInFlight: number } {
    return { events: this.delivered.size, deliveriesInFlight: this.inFlight.size };
  }

  /** Resolves when every delivery started so far (and those they caused) has ended. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private retain(event: DeliveredEvent): void {
    this.delivered.delete(event.id); // a redelivered event becomes the most recent
    this.delivered.set(event.id, event);
    for (const id of this.delivered.keys()) {
      if (this.delivered.size <= this.maxRetained) break;
      this.delivered.delete(id);
    }
  }

  private deliver(rule: Rule, event: DeliveredEvent): void {
    const attempts = this.options.maxAttempts ?? 3;
    const delivery = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      for (let attempt = 1; ; attempt++) {
        try {
          await rule.target(event);
          return;
        } catch (error) {
          if (attempt >= attempts) return this.options.onDeliveryFailure?.(rule.name, event, error);
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    })().finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }
}

/** Why a PutEvents entry is refused as a whole, before its Detail is read; `undefined` when it is well formed. */
function invalidEntry(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return 'an entry must be a JSON object';
  const e = entry as Record<string, unknown>;
  const own = (field: string) => (Object.hasOwn(e, field) ? e[field] : undefined);
  if (
    typeof own('Source') !== 'string' ||
    own('Source') === '' ||
    typeof own('DetailType') !== 'string' ||
    own('DetailType') === '' ||
    typeof own('Detail') !== 'string'
  ) {
    return 'Source, DetailType and Detail are required strings';
  }
  const bus = own('EventBusName');
  if (bus !== undefined && bus !== null && typeof bus !== 'string') return 'EventBusName must be a string';
  const resources = own('Resources');
  if (
    resources !== undefined &&
    resources !== null &&
    !(Array.isArray(resources) && resources.every((r) => typeof r === 'string'))
  )
    return 'Resources must be a list of strings';
  const time = own('Time');
  if (time !== undefined && time !== null && typeof time !== 'string' && typeof time !== 'number')
    return 'Time must be a timestamp';
  return undefined;
}

function busName(nameOrArn: string | undefined): string {
  if (!nameOrArn) return DEFAULT_BUS;
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}
