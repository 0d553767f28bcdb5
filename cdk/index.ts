// `lockstep/cdk`: what a project that installs Lockstep deploys it with (README "Bring your own workflow").

export { loadWorkflows, WorkflowFolderError } from '../lib/workflows/load-workflows.js';
export type { WorkflowVersion } from '../lib/workflows/workflow-version.js';
export { Lockstep, type LockstepProps } from './lockstep.js';
