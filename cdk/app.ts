// The CDK app: `npm run synth` works offline with no credentials; `cdk deploy` or
// `npm run deploy:localstack` deploy it.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LockstepStack } from './lockstep-stack.js';

const app = new App();
const alarmEmail = app.node.tryGetContext('alarmEmail') as string | undefined;
new LockstepStack(app, 'Lockstep', {
  description: 'Lockstep: serverless workflow execution engine',
  // Deletion protection is on unless the context says otherwise (LocalStack: -c deletionProtection=false).
  deletionProtection: app.node.tryGetContext('deletionProtection') !== 'false',
  ...(alarmEmail && { alarmEmail }),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
