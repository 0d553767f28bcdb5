/**
 * How local mode's Step Functions speaks of the runs it had started when local mode restarted
 * on the same data folder: it keeps their names, status and dates, not their histories.
 */
export const LOCAL_RESTART = {
  /** The error of a run that was still running when local mode stopped: FAILED, since it may have had its effects. */
  error: 'Lockstep.LocalRestart',
  cause: 'local mode restarted while it ran: how it ended is unknown, and its steps may have run',
  /** The history event standing, in a run from before the restart, for the events that were not kept. */
  historyLostEvent: 'LockstepHistoryLost',
  /** Why the steps of such a run cannot be told. */
  stepsUnavailable:
    'the steps of this run are not available: local mode restarted since it ran, and keeps no history of the runs from before',
} as const;

/**
 * Whether a run the Step Functions endpoint does not know may yet have run: its execution was
 * created before `runsKnownSince`, the moment since which the endpoint knows every run it
 * started. That is undefined where names are known across restarts (AWS, local mode's journal);
 * without a journal it is when the endpoint started, and what ran before is forgotten. Such an
 * execution must not be started again (its name may have run) nor taken for a run deleted
 * outside the engine: it was lost in the restart.
 */
export function mayHaveRunBeforeRestart(createdAt: string, runsKnownSince: Date | undefined): boolean {
  return runsKnownSince !== undefined && new Date(createdAt).getTime() < runsKnownSince.getTime();
}
