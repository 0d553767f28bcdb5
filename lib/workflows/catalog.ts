import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LockstepError, UnknownWorkflowError } from '../domain/errors.js';
import {
  compareVersions,
  deepFreeze,
  ParameterFieldsSchema,
  WorkflowPolicySchema,
  type WorkflowVersion,
} from '../domain/workflow-version.js';
import * as z from '../domain/zod.js';
import type { CatalogWorkflow, WorkflowCatalog } from '../ports/index.js';

/**
 * The catalog in memory, from loaded workflow versions: what every part of Lockstep gets
 * workflows from (local mode and tests from folders, the functions from the catalog file the
 * CDK app puts beside them). Use cases see it through the `WorkflowCatalog` port.
 */
export class InMemoryWorkflowCatalog implements WorkflowCatalog {
  private readonly workflows: readonly CatalogWorkflow[];

  constructor(workflows: readonly CatalogWorkflow[]) {
    const seen = new Set<string>();
    for (const workflow of workflows) {
      const key = `${workflow.id}@${workflow.version}`;
      if (seen.has(key)) throw new LockstepError(`workflow ${key} is defined twice`);
      seen.add(key);
    }
    this.workflows = workflows;
  }

  list(): readonly CatalogWorkflow[] {
    return this.workflows;
  }

  /** The workflow at `version`, or its latest version (highest number) when none is given. */
  resolve(id: string, version?: string): CatalogWorkflow {
    const versions = this.workflows.filter((w) => w.id === id);
    if (versions.length === 0)
      throw new UnknownWorkflowError(
        `unknown workflow "${id}"; known: ${[...new Set(this.workflows.map((w) => w.id))].join(', ')}`,
      );
    if (version === undefined) return versions.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b));
    const match = versions.find((w) => w.version === version);
    if (!match)
      throw new UnknownWorkflowError(
        `workflow "${id}" has no version "${version}"; known: ${versions.map((w) => w.version).join(', ')}`,
      );
    return match;
  }
}

/**
 * What the engine keeps of a loaded version at run time: no definition, no files. In local
 * mode a workflow that names an existing state machine and gives no stand-in definition
 * cannot run (`runnableLocally: false`).
 */
export function catalogEntry(loaded: WorkflowVersion, where: { local: boolean }): CatalogWorkflow {
  const {
    id,
    version,
    description,
    digest,
    parameters,
    steps,
    builtIn,
    stateMachineArn,
    policy,
    targetPattern,
    definition,
  } = loaded;
  return {
    id,
    version,
    description,
    digest,
    parameters,
    steps: steps.map(({ name }) => ({ name })),
    builtIn,
    ...(stateMachineArn !== undefined && { stateMachineArn }),
    ...(policy && { policy }),
    ...(targetPattern !== undefined && { targetPattern }),
    ...(where.local && stateMachineArn !== undefined && !definition && { runnableLocally: false as const }),
  };
}

/** Local mode's catalog (and the tests'): every loaded version, as local mode can run it. */
export function localCatalog(versions: readonly WorkflowVersion[]): InMemoryWorkflowCatalog {
  return new InMemoryWorkflowCatalog(versions.map((version) => catalogEntry(version, { local: true })));
}

/** Step Functions state machine name of a catalog workflow, within Step Functions' 80 characters. */
export function stateMachineName(workflow: Pick<CatalogWorkflow, 'id' | 'version'>): string {
  return withinLength(`lockstep-${workflow.id}-v${workflow.version}`.replace(/[^A-Za-z0-9_-]/g, '_'), 80);
}

/**
 * The Lambda function name of a step: `lockstep-<id>-v<version, dots as underscores>-<Step>`,
 * within Lambda's 64 characters.
 */
export function stepFunctionName(workflow: Pick<CatalogWorkflow, 'id' | 'version'>, step: string): string {
  return withinLength(`lockstep-${workflow.id}-v${workflow.version.replace(/\./g, '_')}-${step}`, 64);
}

/** A name too long for its service keeps its start and ends with a hash of the whole, so it stays valid and unique. */
function withinLength(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, max - hash.length - 1)}-${hash}`;
}

/** The file the CDK app writes beside each function bundle, and the functions read at cold start. */
export const CATALOG_FILE_NAME = 'catalog.json';

const CatalogFileSchema = z.object({
  workflows: z.array(
    z.object({
      id: z.string(),
      version: z.string(),
      description: z.string(),
      digest: z.string(),
      // Checked when the CDK app loaded them: not again here, where it would compile their patterns at cold start.
      parameters: z.array(ParameterFieldsSchema),
      steps: z.array(z.object({ name: z.string() })),
      stateMachineArn: z.optional(z.string()),
      policy: z.optional(WorkflowPolicySchema),
      targetPattern: z.optional(z.string()),
      builtIn: z.boolean(),
    }),
  ),
});

export function catalogFileContent(versions: readonly WorkflowVersion[]): string {
  return JSON.stringify({ workflows: versions.map((version) => catalogEntry(version, { local: false })) });
}

export function readCatalogFile(path: string): InMemoryWorkflowCatalog {
  const { workflows } = CatalogFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  return new InMemoryWorkflowCatalog(deepFreeze(workflows));
}
