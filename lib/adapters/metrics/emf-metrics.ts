import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_NAMESPACE } from '../../contract/metrics.js';
import type { Execution } from '../../domain/execution.js';
import type { EngineMetrics } from '../../ports/index.js';

export interface EmfMetricsOptions {
  /** Where each EMF line goes. Default: standard output, where Lambda's agent picks EMF up. */
  write?: (line: string) => void;
}

/**
 * API.md's metrics as CloudWatch Embedded Metric Format, built by Powertools Metrics. Each
 * metric is written as its own line with exactly its own dimension (no `service`
 * dimension); targets and execution ids go in metadata, never in dimensions.
 */
export class EmfMetrics implements EngineMetrics {
  private readonly write: (line: string) => void;
  private readonly metrics = new Metrics({ namespace: METRICS_NAMESPACE });

  constructor(options: EmfMetricsOptions = {}) {
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.metrics.clearDefaultDimensions();
  }

  executionEnded(execution: Execution): void {
    const outcome = execution.phase;
    this.emit(METRIC.executions, MetricUnit.Count, 1, { outcome }, execution);
    if (execution.durationSeconds !== undefined)
      this.emit(METRIC.durationSeconds, MetricUnit.Seconds, execution.durationSeconds, { outcome }, execution);
  }

  executionSkipped(execution: Execution): void {
    this.emit(METRIC.skips, MetricUnit.Count, 1, { reason: execution.skipDetails?.reason ?? 'Unknown' }, execution);
  }

  approvalDecided(decision: 'approve' | 'reject' | 'expired', execution: Execution): void {
    this.emit(METRIC.approvals, MetricUnit.Count, 1, { decision }, execution);
  }

  startFailed(execution: Execution): void {
    this.emit(
      METRIC.startFailures,
      MetricUnit.Count,
      1,
      { reason: execution.failureDetails?.reason ?? 'Unknown' },
      execution,
    );
  }

  sweepRepaired(repair: string, count: number): void {
    this.emit(METRIC.sweeperRepairs, MetricUnit.Count, count, { repair });
  }

  domainEventsUnpublished(count: number): void {
    this.emit(METRIC.domainEventsUnpublished, MetricUnit.Count, count, {});
  }

  private emit(
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions: Record<string, string>,
    execution?: Execution,
  ): void {
    const { metrics } = this;
    metrics.addDimensions(dimensions);
    metrics.addMetric(name, unit, value);
    if (execution) {
      metrics.addMetadata('executionId', execution.id);
      metrics.addMetadata('targetResource', execution.targetResource);
      metrics.addMetadata('workflowId', execution.workflowId);
      metrics.addMetadata('correlationId', execution.correlationId);
    }
    const line = JSON.stringify(metrics.serializeMetrics());
    metrics.clearMetrics();
    metrics.clearDimensions();
    metrics.clearMetadata();
    this.write(line);
  }
}
