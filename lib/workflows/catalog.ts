import { z } from 'zod';
import { LockstepError, UnknownWorkflowError } from '../domain/errors.js';
import { ParameterNameSchema } from '../domain/execution.js';
import type { Policy } from '../domain/policies.js';
import { problemWith } from '../domain/workflow-parameters.js';
import { FAIL, NOOP, RESTART_ECS_SERVICE, WAIT, type AslDefinition } from './definitions.js';

export const WorkflowParameterSchema = z
  .object({
    name: ParameterNameSchema,
    required: z.boolean(),
    description: z.string(),
    default: z.string().optional(),
    type: z.enum(['string', 'integer', 'number', 'boolean']).optional(),
    enum: z.array(z.string()).min(1).optional(),
    pattern: z.string().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    maxLength: z.number().int().min(1).optional(),
  })
  .superRefine((parameter, ctx) => {
    const problem = parameter.default === undefined ? undefined : problemWith(parameter, parameter.default);
    if (problem) ctx.addIssue({ code: 'custom', path: ['default'], message: `the default ${problem}` });
  });
export type WorkflowParameter = z.infer<typeof WorkflowParameterSchema>;

export interface Workflow {
  id: string;
  version: string;
  description: string;
  parameters: WorkflowParameter[];
  definition: AslDefinition;
  /** Overrides of the engine's policy for this workflow (for example a longer cooldown). */
  policy?: Partial<Policy>;
  /** A regular expression every target of this workflow must match. */
  targetPattern?: string;
}

export const BUILT_IN_WORKFLOWS: readonly Workflow[] = [
  { id: 'noop', version: '1', description: 'Diagnostic: succeeds at once.', parameters: [], definition: NOOP },
  {
    id: 'wait',
    version: '1',
    description: 'Diagnostic: waits SECONDS seconds, then succeeds.',
    parameters: [{ name: 'SECONDS', required: false, default: '1', type: 'integer', minimum: 0, maximum: 86_400, description: 'How long to wait, in whole seconds (0 to 86400).' }],
    definition: WAIT,
  },
  {
    id: 'fail',
    version: '1',
    description: 'Diagnostic: fails with error ERROR and cause CAUSE.',
    parameters: [
      { name: 'ERROR', required: false, default: 'TaskFailed', description: 'The error name the workflow fails with (for example States.Timeout).' },
      { name: 'CAUSE', required: false, default: 'failed on request', description: 'The cause the workflow fails with.' },
    ],
    definition: FAIL,
  },
  {
    id: 'restart-ecs-service',
    version: '1',
    description: 'Rolling restart of an ECS service (UpdateService with forceNewDeployment). In local mode the ECS call is simulated.',
    parameters: [
      { name: 'CLUSTER', required: true, description: 'Cluster name or ARN.' },
      { name: 'SERVICE', required: true, description: 'Service name or ARN.' },
      { name: 'REASON', required: false, description: 'Why the restart was asked for; recorded, not used.' },
    ],
    definition: RESTART_ECS_SERVICE,
  },
];

/** The workflows Lockstep can run, each an ASL definition plus what callers may pass it. */
export class WorkflowCatalog {
  private readonly workflows: readonly Workflow[];

  constructor(workflows: readonly Workflow[] = BUILT_IN_WORKFLOWS) {
    const seen = new Set<string>();
    for (const workflow of workflows) {
      const key = `${workflow.id}@${workflow.version}`;
      if (seen.has(key)) throw new LockstepError(`workflow ${key} is defined twice`);
      seen.add(key);
      workflow.parameters.forEach((p) => WorkflowParameterSchema.parse(p));
    }
    this.workflows = workflows;
  }

  list(): readonly Workflow[] {
    return this.workflows;
  }

  /** The workflow at `version`, or its latest version (highest number) when none is given. */
  resolve(id: string, version?: string): Workflow {
    const versions = this.workflows.filter((w) => w.id === id);
    if (versions.length === 0) throw new UnknownWorkflowError(`unknown workflow "${id}"; known: ${[...new Set(this.workflows.map((w) => w.id))].join(', ')}`);
    if (version === undefined) return versions.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b));
    const match = versions.find((w) => w.version === version);
    if (!match) throw new UnknownWorkflowError(`workflow "${id}" has no version "${version}"; known: ${versions.map((w) => w.version).join(', ')}`);
    return match;
  }
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Step Functions state machine name of a catalog workflow. */
export function stateMachineName(workflow: Pick<Workflow, 'id' | 'version'>): string {
  return `lockstep-${workflow.id}-v${workflow.version}`.replace(/[^A-Za-z0-9_-]/g, '_');
}
