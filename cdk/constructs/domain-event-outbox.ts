import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnEventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { publisherEnvironment } from '../../lib/contract/environment.js';
import { EngineFunction } from './engine-function.js';

export interface DomainEventOutboxProps {
  /** The engine's table, with its stream (NEW_AND_OLD_IMAGES). */
  readonly table: ITable;
  /** The bus the domain events go on. */
  readonly bus: IEventBus;
}

/**
 * The transactional outbox: the table's stream carries every stored transition to the
 * publisher function, which puts its domain event on the bus. It is the only function that
 * may call PutEvents.
 *
 * A stream-driven function rather than an EventBridge Pipe: a transition is a change of the
 * audit trail between the old and the new image, and the event's detail is the execution
 * unmarshalled from DynamoDB JSON; a Pipe's filter cannot compare two images and its input
 * transformer cannot unmarshall. The function is the same code local mode runs.
 *
 * Failure handling: the function reports the first record it could not publish
 * (ReportBatchItemFailures), so the stream is retried from there in order; a batch whose
 * function fails is halved (BisectBatchOnFunctionError) until the failing record stands
 * alone. Retries go on until the record is 12 hours old (the stream keeps it 24), then its
 * shard and sequence range go to the outbox DLQ, and an alarm fires; the iterator age alarms
 * long before that.
 */
export class DomainEventOutbox extends Construct {
  readonly publisher: IFunction;
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: DomainEventOutboxProps) {
    super(scope, id);
    this.publisher = new EngineFunction(this, 'Publisher', {
      handler: 'publisher',
      environment: publisherEnvironment({ eventBusName: nameKnownBeforeDeploy(props.bus) }),
    }).function;
    this.deadLetterQueue = new Queue(this, 'Dlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.publisher.addEventSource(
      new DynamoEventSource(props.table, {
        // From the oldest record kept: a mapping created on a table in use misses nothing.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        maxRecordAge: Duration.hours(12),
        onFailure: new SqsDlq(this.deadLetterQueue),
        // Only writes of execution items can hold a transition: target and other writes are dropped before any invocation (and not billed).
        filters: [
          FilterCriteria.filter({ dynamodb: { NewImage: { entity: { S: FilterRule.isEqual('execution') } } } }),
        ],
      }),
    );
    props.bus.grantPutEventsTo(this.publisher);
  }
}

/** A bus's name as written where it is known before deploy (a bus made or imported by name), so the function's environment holds no reference to the bus. */
function nameKnownBeforeDeploy(bus: IEventBus): string {
  const resource = bus.node.defaultChild;
  return resource instanceof CfnEventBus ? resource.name : bus.eventBusName;
}
