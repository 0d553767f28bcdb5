import { Validations, type Stack } from 'aws-cdk-lib';

const PACK = 'AwsSolutions::AwsSolutions';

/**
 * Each accepted cdk-nag (AwsSolutions) finding, with why in one line. Everything else is
 * fixed, not acknowledged; the infrastructure tests fail on any finding not listed here.
 */
export function applyNagSuppressions(stack: Stack, stateMachineNames: string[]): void {
  const acknowledge = (finding: string, reason: string) => Validations.of(stack).acknowledge({ id: `${PACK}-${finding}`, reason });
  acknowledge('L1', 'nodejs22.x is the runtime Lockstep targets and tests on; newer runtimes are adopted deliberately, not by default.');
  acknowledge('IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'The AWS managed basic execution role only lets a function write its own logs.');
  acknowledge('IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]', 'API Gateway needs this account-level role to write access and execution logs.');
  acknowledge('IAM5[Resource::*]', 'X-Ray trace upload and CloudWatch Logs delivery (state machine logging) support no resource-level permissions.');
  acknowledge('IAM5[Resource::<TablesTableB9B09DF9.Arn>/index/*]', "The functions query the engine table's own indexes (by-target, active) and nothing else.");
  acknowledge('IAM5[Resource::arn:aws:ecs:<AWS::Region>:<AWS::AccountId>:service/*/*]', 'restart-ecs-service acts on the service named in each request; narrow it with the ecsServiceArns prop.');
  for (const name of stateMachineNames) {
    acknowledge(
      `IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
      `Executions of ${name} are named at run time; the grant covers that one state machine's executions only.`,
    );
  }
  acknowledge('IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<DeadlinesGroupB7359E23>/*]', 'Deadline schedules are named per execution at run time; the grant covers the engine schedule group only.');
  acknowledge('SQS3', 'These queues are the dead-letter queues of the EventBridge targets; a DLQ of a DLQ would hide nothing more.');
  acknowledge('COG4', 'The API authenticates with AWS_IAM (SigV4) by contract, not with Cognito user pools.');
  acknowledge('APIG4', 'GET /health is public by contract (API.md); every other route is AWS_IAM.');
  acknowledge('APIG3', 'Callers are IAM principals behind SigV4 with stage throttling; a WAF web ACL is an account-level choice left to the deployer.');
}
