import type { Policy } from '../domain/policies.js';
import type {
  Clock,
  DeadlineScheduler,
  EngineLogger,
  EngineMetrics,
  ExecutionStore,
  StateMachineDirectory,
  WorkflowCatalog,
  WorkflowDriver,
} from '../ports/index.js';

/** Everything a use case needs, passed in: no use case builds a client or reads the clock itself. */
export interface Engine {
  store: ExecutionStore;
  driver: WorkflowDriver;
  catalog: WorkflowCatalog;
  stateMachines: StateMachineDirectory;
  metrics: EngineMetrics;
  logger: EngineLogger;
  clock: Clock;
  policy: Policy;
  newId: () => string;
  /** Recorded as the actor of the transitions the engine makes itself. */
  actor: string;
  /**
   * Since when the Step Functions endpoint knows every run it started: local mode without a
   * journal, from its own start. Undefined where it knows them across restarts (AWS, a journal).
   * See `mayHaveRunBeforeRestart`.
   */
  runsKnownSince?: Date;
  /** Enforces deadlines when they pass; without it, the sweeper does at its next run. */
  deadlines?: DeadlineScheduler;
}

/** The engine's policy with the workflow's own overrides; the engine's when the workflow is gone from the catalog. */
export function policyFor(engine: Engine, workflowId: string, workflowVersion: string): Policy {
  try {
    return { ...engine.policy, ...engine.catalog.resolve(workflowId, workflowVersion).policy };
  } catch {
    return engine.policy;
  }
}

/** Errors the engine passes to StopExecution, so the status event says who stopped it and why. */
export const STOP_ERRORS = {
  cancelled: 'Lockstep.Cancelled',
  deadline: 'Lockstep.DeadlineExceeded',
} as const;
