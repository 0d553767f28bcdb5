/** The CloudWatch namespace of the engine's metrics (API.md, Metrics), emitted as EMF by the functions. */
export const METRICS_NAMESPACE = 'Lockstep';

/** The engine's metric names: what EmfMetrics emits and what the CDK app's alarms and dashboard watch. */
export const METRIC = {
  /** Ended executions, by `outcome` (Completed, Failed). */
  executions: 'workflowexecution_total',
  /** Their durations in seconds, by `outcome`. */
  durationSeconds: 'workflowexecution_duration_seconds',
  /** Refused admissions, by `reason` (a SkipReason). */
  skips: 'workflowexecution_skip_total',
  /** Runs that could not be started, by `reason`. */
  startFailures: 'workflowexecution_start_failures_total',
  /** Approval decisions, by `decision` (approve, reject, expired: an approval nobody gave in time). */
  approvals: 'workflowexecution_approval_total',
  /** The sweeper's repairs, by `repair`, with ALL_REPAIRS counting every kind. */
  sweeperRepairs: 'lockstep_sweeper_repairs_total',
  /** Domain events the bus refused or did not take (they are published again from the stream). */
  domainEventsUnpublished: 'lockstep_domain_events_unpublished_total',
} as const;

/** The `repair` dimension of the total of every kind of sweeper repair, which one alarm watches. */
export const ALL_REPAIRS = 'all';
