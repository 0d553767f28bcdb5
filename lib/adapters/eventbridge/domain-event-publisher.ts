import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LockstepError } from '../../domain/errors.js';
import type { Execution } from '../../domain/execution.js';
import type { DomainEventPublisher, DomainEventType } from '../../ports.js';

export const DOMAIN_EVENT_SOURCE = 'lockstep';
/** The engine's bus: requests in, domain events and deadline events out (the CDK app and local mode both name it from here). */
export const ENGINE_BUS_NAME = 'lockstep';

/** Publishes domain events to the engine's EventBridge bus (AWS, LocalStack or the local bus alike). */
export class EventBridgePublisher implements DomainEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(type: DomainEventType, execution: Execution): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: this.eventBusName, Source: DOMAIN_EVENT_SOURCE, DetailType: type, Detail: JSON.stringify(execution), Resources: [] }],
      }),
    );
    // PutEvents answers 200 even when an entry was refused.
    if (out.FailedEntryCount) throw new LockstepError(`PutEvents refused ${type}: ${out.Entries?.[0]?.ErrorCode} ${out.Entries?.[0]?.ErrorMessage}`);
  }
}
