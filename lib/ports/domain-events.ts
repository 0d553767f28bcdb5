import type { DomainEvent, StoredWrite } from '../domain/domain-events.js';

/**
 * Puts domain events on the engine's bus, in order. Only the outbox publisher calls it, from
 * what the table's stream says was stored; no request path does.
 */
export interface DomainEventPublisher {
  /** The events the bus took, in order from the first (all of them unless it refused one). Throws when a call itself failed. */
  publish(events: readonly DomainEvent[]): Promise<DomainEventReceipt[]>;
}

/** One domain event the bus took: the id it gave it, and whether its detail was cut to fit the bus (`truncatedDetailOf`). */
export interface DomainEventReceipt {
  event: DomainEvent;
  eventId?: string;
  truncated: boolean;
}

/** A write to an execution item, in the order the table's stream carried it: what the outbox publishes from. */
export interface ExecutionChange extends StoredWrite {
  sequenceNumber: string;
}
