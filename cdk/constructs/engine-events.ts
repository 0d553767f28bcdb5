import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENGINE_BUS_NAME, ENGINE_RULES, patternOf } from '../../lib/contract/events.js';
import { validationError } from './validation-error.js';

export interface EngineEventsProps {
  /** Default: every minute. */
  readonly sweepInterval?: Duration;
}

/** The functions the engine's events go to. */
export interface EngineEventTargets {
  readonly trigger: IFunction;
  readonly status: IFunction;
  readonly sweeper: IFunction;
  /** Only these state machines' status changes reach the engine. */
  readonly stateMachines: readonly IStateMachine[];
}

type DeadLetterQueueName = 'requests' | 'statusChanges' | 'sweeps' | 'deadlines';

/** Each rule's delivery on AWS: its own DLQ, and how long its target keeps trying an event before it goes there. */
const DELIVERY: Readonly<Record<string, { queue: DeadLetterQueueName; maxEventAge: Duration }>> = {
  Requested: { queue: 'requests', maxEventAge: Duration.hours(2) },
  StatusChanges: { queue: 'statusChanges', maxEventAge: Duration.hours(6) },
  Deadlines: { queue: 'deadlines', maxEventAge: Duration.hours(6) },
  // A lost one leaves the expiry to the sweep: an approval waits at least 60 s.
  ApprovalDeadlines: { queue: 'deadlines', maxEventAge: Duration.hours(6) },
};

/**
 * The engine's bus (requests in, domain events out, named by the contract), the rules of
 * ENGINE_RULES (lib/contract/events.ts, the list local mode installs too), and the sweeper's
 * schedule. The bus comes first, for the constructs that put events on it; `route` adds the rules
 * once the functions exist. Every target retries and keeps what it could not deliver in its own DLQ.
 */
export class EngineEvents extends Construct {
  readonly bus: IEventBus;
  readonly deadLetterQueues: Record<DeadLetterQueueName, IQueue>;
  private readonly sweepInterval: Duration;

  constructor(scope: Construct, id: string, props: EngineEventsProps = {}) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: ENGINE_BUS_NAME });
    this.sweepInterval = props.sweepInterval ?? Duration.minutes(1);
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
  }

  /** Installs ENGINE_RULES towards the functions, and the sweeper's schedule. */
  route(targets: EngineEventTargets): void {
    const target = (fn: IFunction, deadLetterQueue: IQueue, maxEventAge: Duration) =>
      new LambdaFunction(fn, { deadLetterQueue, retryAttempts: 8, maxEventAge });
    const stateMachineArns = targets.stateMachines.map((sm) => sm.stateMachineArn);
    for (const rule of ENGINE_RULES) {
      const delivery = DELIVERY[rule.id];
      if (!delivery)
        throw validationError(
          'LockstepRuleDelivery',
          `engine rule ${rule.id} (lib/contract/events.ts) has no DLQ and event age here; add it to DELIVERY`,
          this,
        );
      const { source, 'detail-type': detailType, detail } = patternOf(rule, stateMachineArns);
      new Rule(this, rule.id, {
        description: rule.description,
        // The default bus unless named: where AWS services put their events.
        ...(rule.bus === 'engine' && { eventBus: this.bus }),
        eventPattern: { ...(source && { source }), detailType, ...(detail && { detail }) },
        targets: [target(targets[rule.target], this.deadLetterQueues[delivery.queue], delivery.maxEventAge)],
      });
    }
    new Rule(this, 'Sweep', {
      description: 'The sweeper repairs what status events missed',
      schedule: Schedule.rate(this.sweepInterval),
      // A sweep older than its interval is superseded by the next one.
      targets: [target(targets.sweeper, this.deadLetterQueues.sweeps, Duration.minutes(5))],
    });
  }
}
