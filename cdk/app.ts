// The CDK app of this repository: `npm run synth` works offline with no credentials; `cdk deploy` or
// `npm run deploy:localstack` deploy it. `-c workflowsDir=DIR` deploys your workflows beside the built-in ones.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadWorkflows, WorkflowFolderError } from '../lib/workflows/load-workflows.js';
import { LockstepStack } from './lockstep-stack.js';

const app = new App();
const context = (name: string) => app.node.tryGetContext(name) as string | undefined;
const workflowsDir = context('workflowsDir');
const alarmEmail = context('alarmEmail');
try {
  new LockstepStack(app, 'Lockstep', {
    description: 'Lockstep: serverless workflow execution engine',
    // Deletion protection is on unless the context says otherwise (LocalStack: -c deletionProtection=false).
    deletionProtection: context('deletionProtection') !== 'false',
    ...(alarmEmail && { alarmEmail }),
    ...(workflowsDir !== undefined && { workflows: loadWorkflows(workflowsDir) }),
  });
} catch (error) {
  // The same lines `lockstep workflows validate` prints, without a stack trace.
  if (!(error instanceof WorkflowFolderError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
