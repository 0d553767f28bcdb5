import type { HistoryEntry } from '../domain/steps.js';

/** Step Functions' view of one execution. */
export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  startDate: Date;
  stopDate?: Date;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** A status change as seen in a status event or a DescribeExecution. */
export type StatusObservation = Omit<ExecutionDescription, 'stateMachineArn'> & {
  /** When the observation was made (the event's time): the completion time when `stopDate` is missing. */
  observedAt?: Date;
};

export interface StartWorkflowInput {
  stateMachineArn: string;
  name: string;
  input: string;
}

/** Runs workflows: Step Functions on AWS, the local endpoint in local mode (same adapter, other endpoint). */
export interface WorkflowDriver {
  /** Idempotent for the same name and input while the execution runs. */
  start(input: StartWorkflowInput): Promise<{ executionArn: string; startDate: Date }>;
  /** `undefined` when the execution does not exist (deleted, or never started). */
  describe(executionArn: string): Promise<ExecutionDescription | undefined>;
  stop(executionArn: string, error: string, cause: string): Promise<void>;
  /** The step the execution failed in, and whether any step ran at all, from its history. */
  failureSite(executionArn: string): Promise<{ failedStep?: string; ran: boolean }>;
  /** The ARN an execution of this name has (or would have) under a state machine. */
  executionArn(stateMachineArn: string, name: string): string;
  /** The execution's history, oldest first (every page); empty when the execution does not exist. */
  history(executionArn: string): Promise<HistoryEntry[]>;
}
