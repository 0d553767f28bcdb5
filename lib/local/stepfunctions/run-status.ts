// The words the local endpoint, its window of runs and its journal share about one run.

/** How a run ended, in Step Functions' words. */
export type FinishedStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One event of a run's history, as GetExecutionHistory answers it. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}
