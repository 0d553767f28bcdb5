// The objects of API.md ("Objects") as JSON: what the API answers, and all the command and the page know of it.
// Where the domain already holds the object's exact shape it is the domain's type; the rest is written here, once.
import type { AuditEvent } from '../domain/audit.js';
import type { Execution } from '../domain/execution.js';
import type { Phase } from '../domain/phase.js';
import type { Step } from '../domain/steps.js';
import type { TargetStatus, TargetView } from '../domain/target.js';
import type { ApprovalPolicy } from '../domain/workflow-version.js';
import type { Role } from './routes.js';

export type { AuditEvent, Execution, Phase, Step };

/** API.md's Target object. */
export type Target = TargetView;
/** A target's `state`. */
export type TargetState = TargetStatus;
/** One entry of a Target's `blockClearances`. */
export type Clearance = TargetView['blockClearances'][number];

/** One declared parameter of a Workflow object. */
export interface WorkflowParameter {
  name: string;
  required?: boolean;
  description?: string;
  type?: 'string' | 'integer' | 'number' | 'boolean';
  default?: string;
  enum?: readonly string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

/** API.md's Workflow object: every field absent where not declared; `runnableLocally` false only in local mode. */
export interface Workflow {
  id: string;
  version: string;
  description?: string;
  digest?: string;
  parameters?: readonly WorkflowParameter[];
  /** The effective policy: numbers, and `approval` where the workflow needs one. */
  policy?: Record<string, number | ApprovalPolicy>;
  targetPattern?: string;
  steps?: readonly string[];
  stateMachineArn?: string;
  runnableLocally?: boolean;
}

/** `GET /identity`: who the caller is, from its credentials. `role` only in local mode (on AWS IAM holds the roles). */
export interface Identity {
  identity: string;
  role?: Role;
  intermediary: boolean;
}

/** A listing: one page of items and, when there are more, the token of the next. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Every non-2xx answer's body. */
export interface ErrorBody {
  error: { code: string; message: string; details?: string[] };
}

/** `POST /executions` refused (409): the Skipped execution, with an `error` whose code is the skip reason. */
export type SkippedAnswer = Execution & ErrorBody;
