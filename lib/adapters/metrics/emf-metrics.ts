import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Execution } from '../../domain/execution.js';
import type { EngineMetrics } from '../../ports/index.js';

export const METRICS_NAMESPACE = 'Lockstep';

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
    this.emit('workflowexecution_total', MetricUnit.Count, 1, { outcome }, execution);
    if (execution.durationSeconds !== undefined)
      this.emit(
        'workflowexecution_duration_seconds',
        MetricUnit.Seconds,
        execution.durationSeconds,
        { outcome },
        execution,
      );
  }

  executionSkipped(execution: Execution): void {
    this.emit(
      'workflowexecution_skip_total',
      MetricUnit.Count,
      1,
      { reason: execution.skipDetails?.reason ?? 'Unknown' },
      execution,
    );
  }

  startFailed(execution: Execution): void {
    this.emit(
      'workflowexecution_start_failures_total',
      MetricUnit.Count,
      1,
      { reason: execution.failureDetails?.reason ?? 'Unknown' },
      execution,
    );
  }

  sweepRepaired(repair: string, count: number): void {
    this.emit('lockstep_sweeper_repairs_total', MetricUnit.Count, count, { repair });
  }

  domainEventsUnpublished(count: number): void {
    this.emit('lockstep_domain_events_unpublished_total', MetricUnit.Count, count, {});
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
