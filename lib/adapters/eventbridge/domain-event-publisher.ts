import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DOMAIN_EVENT_SOURCE, type DomainEvent, truncatedDetailOf } from '../../domain/domain-events.js';
import type { DomainEventPublisher, DomainEventReceipt } from '../../ports/index.js';
import { fitsInOneCall, PUT_EVENTS_MAX_ENTRIES, putEventsEntrySize } from './put-events-limits.js';

/** One event as it goes on the bus. */
interface Outgoing {
  event: DomainEvent;
  entry: PutEventsRequestEntry;
  size: number;
  truncated: boolean;
}

/**
 * Puts domain events on the engine's EventBridge bus (AWS, LocalStack or the local bus alike),
 * in order, in calls within PutEvents' limits: at most 10 entries whose sizes, counted as
 * EventBridge counts them, stay under 256 KiB. An event whose whole detail could never fit
 * goes with `truncatedDetailOf` instead, so that no event stops the ones behind it. Should
 * the bus still refuse a call as too large (its count differing from the documented one),
 * the call is split, and an event refused alone goes truncated.
 */
export class EventBridgePublisher implements DomainEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<DomainEventReceipt[]> {
    const receipts: DomainEventReceipt[] = [];
    let call: Outgoing[] = [];
    let size = 0;
    for (const event of events) {
      const next = this.outgoing(event);
      if (call.length === PUT_EVENTS_MAX_ENTRIES || (call.length > 0 && !fitsInOneCall(size + next.size))) {
        if (!(await this.put(call, receipts))) return receipts;
        call = [];
        size = 0;
      }
      call.push(next);
      size += next.size;
    }
    if (call.length > 0) await this.put(call, receipts);
    return receipts;
  }

  /** The event whole when it can fit in a call by itself, truncated otherwise. */
  private outgoing(event: DomainEvent, truncate = false): Outgoing {
    const whole = !truncate && this.entry(event, JSON.stringify(event.execution));
    if (whole && fitsInOneCall(putEventsEntrySize(whole)))
      return { event, entry: whole, size: putEventsEntrySize(whole), truncated: false };
    const entry = this.entry(event, JSON.stringify(truncatedDetailOf(event.execution)));
    return { event, entry, size: putEventsEntrySize(entry), truncated: true };
  }

  private entry(event: DomainEvent, detail: string): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: DOMAIN_EVENT_SOURCE,
      DetailType: event.type,
      Detail: detail,
      Resources: [],
    };
  }

  /** One call; adds a receipt per event taken, and answers false when the bus refused one (the receipts stop before it). */
  private async put(call: Outgoing[], receipts: DomainEventReceipt[]): Promise<boolean> {
    let out;
    try {
      out = await this.client.send(new PutEventsCommand({ Entries: call.map(({ entry }) => entry) }));
    } catch (error) {
      if (!refusedAsTooLarge(error)) throw error;
      if (call.length > 1) {
        const half = Math.ceil(call.length / 2);
        return (await this.put(call.slice(0, half), receipts)) && this.put(call.slice(half), receipts);
      }
      if (call[0]!.truncated) throw error;
      return this.put([this.outgoing(call[0]!.event, true)], receipts);
    }
    // PutEvents answers 200 even when it refused entries: those carry an ErrorCode.
    const results = out.Entries ?? [];
    const taken = out.FailedEntryCount
      ? Math.max(
          0,
          results.findIndex((result) => result.ErrorCode !== undefined),
        )
      : call.length;
    call
      .slice(0, taken)
      .forEach(({ event, truncated }, i) =>
        receipts.push({ event, truncated, ...(results[i]?.EventId !== undefined && { eventId: results[i]!.EventId }) }),
      );
    return taken === call.length;
  }
}

/** PutEvents refuses a call as a whole with ValidationException when its entries total too much (the entry count the publisher keeps itself). */
function refusedAsTooLarge(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'ValidationException';
}
