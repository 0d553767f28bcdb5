import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEADLINE_DETAIL_TYPE, DEADLINE_SOURCE } from '../../lib/adapters/scheduler/deadline-schedules.js';
import { STATUS_CHANGE_DETAIL_TYPE } from '../../lib/adapters/stepfunctions/status-event.js';
import { REQUESTED_DETAIL_TYPE } from '../../lib/handlers/trigger-handler.js';

export interface EngineEventsProps {
  /** The engine's bus name; the functions are configured with it too. */
  readonly eventBusName: string;
  readonly trigger: IFunction;
  readonly status: IFunction;
  readonly sweeper: IFunction;
  /** Only these state machines' status changes reach the engine. */
  readonly stateMachines: IStateMachine[];
  /** Default: every minute. */
  readonly sweepInterval?: Duration;
}

/**
 * The engine's bus (requests in, domain events out), the rule for requests, the rule for
 * Step Functions status changes of the engine's own state machines, and the sweeper's
 * schedule. Every target retries and keeps what it could not deliver in its own DLQ.
 */
export class EngineEvents extends Construct {
  readonly bus: IEventBus;
  readonly deadLetterQueues: Record<'requests' | 'statusChanges' | 'sweeps' | 'deadlines', IQueue>;

  constructor(scope: Construct, id: string, props: EngineEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.eventBusName });
    const dlq = (name: string) =>
      new Queue(this, `${name}Dlq`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.deadLetterQueues = {
      requests: dlq('Requests'),
      statusChanges: dlq('StatusChanges'),
      sweeps: dlq('Sweeps'),
      deadlines: dlq('Deadlines'),
    };
    const target = (fn: IFunction, deadLetterQueue: IQueue, maxEventAge: Duration) =>
      new LambdaFunction(fn, { deadLetterQueue, retryAttempts: 8, maxEventAge });

    new Rule(this, 'Requested', {
      description: 'WorkflowExecution Requested → trigger',
      eventBus: this.bus,
      eventPattern: { detailType: [REQUESTED_DETAIL_TYPE] },
      targets: [target(props.trigger, this.deadLetterQueues.requests, Duration.hours(2))],
    });
    new Rule(this, 'StatusChanges', {
      description: "Step Functions status changes of Lockstep's state machines → status",
      eventPattern: {
        source: ['aws.states'],
        detailType: [STATUS_CHANGE_DETAIL_TYPE],
        detail: { stateMachineArn: props.stateMachines.map((sm) => sm.stateMachineArn) },
      },
      targets: [target(props.status, this.deadLetterQueues.statusChanges, Duration.hours(6))],
    });
    new Rule(this, 'Deadlines', {
      description: 'An execution deadline passed (EventBridge Scheduler) → sweeper, for that execution',
      eventBus: this.bus,
      eventPattern: { source: [DEADLINE_SOURCE], detailType: [DEADLINE_DETAIL_TYPE] },
      targets: [target(props.sweeper, this.deadLetterQueues.deadlines, Duration.hours(6))],
    });
    new Rule(this, 'Sweep', {
      description: 'The sweeper repairs what status events missed',
      schedule: Schedule.rate(props.sweepInterval ?? Duration.minutes(1)),
      // A sweep older than its interval is superseded by the next one.
      targets: [target(props.sweeper, this.deadLetterQueues.sweeps, Duration.minutes(5))],
    });
  }
}
