import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DOMAIN_EVENT_SOURCE, type DomainEvent } from '../../domain/domain-events.js';
import type { DomainEventPublisher } from '../../ports.js';

/** The engine's bus: requests in, domain events and deadline events out (the CDK app and local mode both name it from here). */
export const ENGINE_BUS_NAME = 'lockstep';

/** PutEvents takes at most 10 entries a call. */
const ENTRIES_PER_CALL = 10;

/** Puts domain events on the engine's EventBridge bus (AWS, LocalStack or the local bus alike). */
export class EventBridgePublisher implements DomainEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<number> {
    for (let first = 0; first < events.length; first += ENTRIES_PER_CALL) {
      const chunk = events.slice(first, first + ENTRIES_PER_CALL);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map(({ type, execution }) => ({ EventBusName: this.eventBusName, Source: DOMAIN_EVENT_SOURCE, DetailType: type, Detail: JSON.stringify(execution), Resources: [] })),
        }),
      );
      // PutEvents answers 200 even when it refused entries: those carry an ErrorCode.
      if (out.FailedEntryCount) return first + Math.max(0, (out.Entries ?? []).findIndex((entry) => entry.ErrorCode !== undefined));
    }
    return events.length;
  }
}
