import type { WorkflowStep, WorkflowVersion } from '../domain/workflow-version.js';

/** What the engine knows of a workflow version at run time: the loader's version without its definition and files. */
export type CatalogWorkflow = Omit<WorkflowVersion, 'definition' | 'folder' | 'steps'> & {
  readonly steps: readonly Pick<WorkflowStep, 'name'>[];
  /** False only in local mode, for a workflow that names an existing state machine and gives no stand-in definition. */
  readonly runnableLocally?: false;
};

/** The workflows the engine may run. A use case never cares whether a version came from a folder, a deployed stack or the table. */
export interface WorkflowCatalog {
  list(): readonly CatalogWorkflow[];
  /** The version asked for, or the latest by number; an UnknownWorkflowError otherwise. */
  resolve(id: string, version?: string): CatalogWorkflow;
}

/** Where each catalog workflow is deployed. */
export interface StateMachineDirectory {
  stateMachineArn(workflow: Pick<CatalogWorkflow, 'id' | 'version'>): string;
}
