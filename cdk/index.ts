// `lockstep/cdk`: what a project that installs Lockstep deploys it with (docs/workflows.md, "Bring your own workflow").

export type { WorkflowVersion } from '../lib/domain/workflow-version.js';
export { loadWorkflows, WorkflowFolderError } from '../lib/workflows/load-workflows.js';
export {
  type LockstepNotificationsOptions,
  NOTIFICATION_KINDS,
  type NotificationKind,
} from './constructs/notifications.js';
export { Lockstep, type LockstepProps } from './lockstep.js';
