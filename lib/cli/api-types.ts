// The API's objects the command shows that the engine has no type of its own for (API.md, "Objects").
// Executions and targets use the domain's `Execution` and `TargetView`.

/** A listing: `{"items": [...], "nextToken"?}`. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface AuditEventView {
  seq: number;
  type: string;
  at: string;
  executionId: string;
  targetResource: string;
  correlationId?: string;
  actor?: string;
  payload?: Record<string, unknown>;
}

export interface StepView {
  name: string;
  type: string;
  status: string;
  enteredAt?: string;
  exitedAt?: string;
  error?: string;
  cause?: string;
}

export interface WorkflowParameterView {
  name: string;
  required?: boolean;
  description?: string;
  type?: string;
  default?: string;
  enum?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

export interface WorkflowView {
  id: string;
  version: string;
  description?: string;
  digest?: string;
  parameters?: WorkflowParameterView[];
  policy?: Record<string, number>;
  targetPattern?: string;
  steps?: string[];
  stateMachineArn?: string;
  runnableLocally?: boolean;
}
