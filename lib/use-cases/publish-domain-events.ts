import { type DomainEvent, domainEventsOf } from '../domain/domain-events.js';
import type { DomainEventPublisher, DomainEventReceipt, EngineLogger, ExecutionChange } from '../ports/index.js';

export interface PublishOutcome {
  /** The events the bus took, in order. */
  published: DomainEventReceipt[];
  /** Events not published this time (they will be, from `retryFrom`). */
  unpublished: number;
  /** The stream record to read again from: its event, and every one after it, was not published. */
  retryFrom?: string;
}

/**
 * The outbox: turns stored execution writes (the table's stream, in order) into domain
 * events and puts them on the bus. Delivery is at least once: when the bus refuses an event
 * or the call fails, everything from that event on is reported for another try, including
 * events of the same call the bus may have taken (a lost answer). Nothing is published that
 * was not stored, and nothing stored is skipped.
 */
export async function publishDomainEvents(
  deps: { publisher: DomainEventPublisher; logger: EngineLogger },
  changes: readonly ExecutionChange[],
): Promise<PublishOutcome> {
  const pending: { event: DomainEvent; sequenceNumber: string }[] = [];
  for (const change of changes) {
    for (const event of domainEventsOf(change)) pending.push({ event, sequenceNumber: change.sequenceNumber });
  }
  if (pending.length === 0) return { published: [], unpublished: 0 };
  let published: DomainEventReceipt[];
  let why: string | undefined;
  try {
    published = await deps.publisher.publish(pending.map(({ event }) => event));
    if (published.length < pending.length) why = 'the bus refused an event';
  } catch (error) {
    published = [];
    why = (error as Error).message;
  }
  if (published.length >= pending.length) return { published, unpublished: 0 };
  const first = pending[published.length]!;
  deps.logger.error('publishing domain events failed; they will be published again from the stream', {
    why,
    unpublished: pending.length - published.length,
    executionId: first.event.execution.id,
    phase: first.event.execution.phase,
  });
  return { published, unpublished: pending.length - published.length, retryFrom: first.sequenceNumber };
}
