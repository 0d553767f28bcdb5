/**
 * Checks an execution's deadline at the moment it passes, so `timeoutSeconds` is enforced
 * then and not only at the next sweep: timers in local mode, EventBridge Scheduler one-time
 * schedules on AWS. The sweeper stays the fallback for a deadline whose schedule was lost.
 */
export interface DeadlineScheduler {
  schedule(executionId: string, at: Date): Promise<void> | void;
  cancel(executionId: string): Promise<void> | void;
}
