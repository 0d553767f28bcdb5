// CloudFormation custom resources: a deploy refuses a workflow version whose content changed, and brings an earlier
// layout's items up to date (see lib/handlers/workflow-versions-handler.ts).
import { workflowVersionsLambda } from '../lib/runtime/functions/workflow-versions.js';

export const handler = workflowVersionsLambda(process.env);
