// The API's objects the command shows that the engine has no type of its own for (API.md, "Objects").
// Executions, targets, audit events and steps use the domain's `Execution`, `TargetView`, `AuditEvent` and `Step`.

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
