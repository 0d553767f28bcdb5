import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALL_REPAIRS, METRIC, METRICS_NAMESPACE } from '../../lib/contract/metrics.js';
import { SkipReason } from '../../lib/domain/reasons.js';

export interface EngineMonitoringProps {
  readonly functions: Record<string, IFunction>;
  readonly deadLetterQueues: Record<string, IQueue>;
  readonly api: RestApi;
  /** The outbox's publisher, whose stream must not fall behind. */
  readonly outbox: IFunction;
  /** Where alarms notify. */
  readonly alarmTopic: ITopic;
  /** Busy or cooling-down refusals per 15 minutes that are worth a look. Default: 50. */
  readonly routineSkipThreshold?: number;
}

/** The alarms docs/deploying.md explains, one per thing an operator must act on, and a dashboard of the engine. */
export class EngineMonitoring extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: EngineMonitoringProps) {
    super(scope, id);
    const engineMetric = (metricName: string, dimensionsMap: Record<string, string>, period = Duration.minutes(5)) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap, statistic: 'Sum', period });
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(props.alarmTopic));
      this.alarms.push(created);
    };

    alarm(
      'FailedExecutions',
      engineMetric(METRIC.executions, { outcome: 'Failed' }),
      1,
      'A workflow failed. See docs/deploying.md "Alarms": FailedExecutions.',
    );
    const routine = props.routineSkipThreshold ?? 50;
    for (const reason of Object.values(SkipReason)) {
      const blocking = reason === SkipReason.PreviousExecutionFailed || reason === SkipReason.ExhaustedRetries;
      alarm(
        `Skipped${reason}`,
        engineMetric(METRIC.skips, { reason }, Duration.minutes(15)),
        blocking ? 1 : routine,
        `Admissions refused with ${reason}. See docs/deploying.md "Alarms": Skipped${reason}.`,
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        1,
        `The ${name} function failed. See docs/deploying.md "Alarms": HandlerErrors.`,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}DlqDepth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
        `Events the engine could not deliver are waiting in the ${name} DLQ. See docs/deploying.md "Alarms": DlqDepth.`,
      );
    }
    alarm(
      'DomainEventsUnpublished',
      engineMetric(METRIC.domainEventsUnpublished, {}),
      1,
      'The bus refused domain events, or did not answer; they are being published again from the stream. See docs/deploying.md "Alarms": DomainEventsUnpublished.',
    );
    alarm(
      'DomainEventsBehind',
      props.outbox.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }),
      Duration.minutes(5).toMilliseconds(),
      'Domain events are more than 5 minutes behind the transitions stored. See docs/deploying.md "Alarms": DomainEventsBehind.',
    );
    alarm(
      'SweeperRepairs',
      engineMetric(METRIC.sweeperRepairs, { repair: ALL_REPAIRS }, Duration.minutes(15)),
      1,
      'The sweeper had to repair executions. See docs/deploying.md "Alarms": SweeperRepairs.',
    );

    const outcomes = ['Completed', 'Failed'].map((outcome) => engineMetric(METRIC.executions, { outcome }));
    new Dashboard(this, 'Dashboard', {
      dashboardName: 'lockstep',
      widgets: [
        [
          new GraphWidget({ title: 'Executions by outcome', left: outcomes }),
          new GraphWidget({
            title: 'Duration (p50, p99)',
            left: ['p50', 'p99'].map(
              (statistic) =>
                new Metric({
                  namespace: METRICS_NAMESPACE,
                  metricName: METRIC.durationSeconds,
                  dimensionsMap: { outcome: 'Completed' },
                  statistic,
                }),
            ),
          }),
          new GraphWidget({
            title: 'Skips by reason',
            left: Object.values(SkipReason).map((reason) => engineMetric(METRIC.skips, { reason })),
          }),
        ],
        [
          new GraphWidget({
            title: 'Handler errors',
            left: Object.values(props.functions).map((fn) => fn.metricErrors()),
          }),
          new GraphWidget({
            title: 'DLQ depth',
            left: Object.values(props.deadLetterQueues).map((q) => q.metricApproximateNumberOfMessagesVisible()),
          }),
          new GraphWidget({
            title: 'Sweeper repairs',
            left: [engineMetric(METRIC.sweeperRepairs, { repair: ALL_REPAIRS })],
          }),
          new GraphWidget({
            title: 'API errors and latency',
            left: [props.api.metricClientError(), props.api.metricServerError()],
            right: [props.api.metricLatency({ statistic: 'p99' })],
          }),
        ],
      ],
    });
  }
}
