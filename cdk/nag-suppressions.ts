import { Arn, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { DeadlineSchedules } from './constructs/deadline-schedules.js';
import type { WorkflowStateMachine } from './constructs/workflow-state-machine.js';
import type { WorkflowVersionsCheck } from './constructs/workflow-versions-check.js';

const PACK = 'AwsSolutions::AwsSolutions';

/**
 * Each accepted cdk-nag (AwsSolutions) finding in a `Lockstep` construct, with why in one
 * line. Everything else is fixed, not acknowledged; the infrastructure tests fail on any
 * finding not listed here. Findings that name resources are computed from the construct's
 * own resources, so they hold under any construct id.
 */
export function acknowledgeNagFindings(
  scope: Construct,
  of: {
    table: ITable;
    deadlines: DeadlineSchedules;
    workflows: readonly WorkflowStateMachine[];
    versionsCheck: WorkflowVersionsCheck;
  },
): void {
  const stack = Stack.of(scope);
  const acknowledge = (finding: string, reason: string) =>
    Validations.of(scope).acknowledge({ id: `${PACK}-${finding}`, reason });
  /** How cdk-nag writes a reference: `<LogicalId.Arn>` for Fn::GetAtt, `<LogicalId>` for Ref. */
  const nagReference = (token: string) => {
    const resolved = stack.resolve(token) as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
    return resolved['Fn::GetAtt'] ? `<${resolved['Fn::GetAtt'].join('.')}>` : `<${resolved.Ref}>`;
  };
  /** How cdk-nag writes a resource: the parts of its Fn::Join, references as above, other functions as JSON. */
  const nagResource = (token: string): string => {
    const resolved = stack.resolve(token) as string | { 'Fn::Join': [string, unknown[]] };
    if (typeof resolved === 'string') return resolved;
    const [separator, parts] = resolved['Fn::Join'];
    return parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const { Ref: ref, 'Fn::GetAtt': attribute } = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
        if (ref !== undefined) return `<${ref}>`;
        return attribute ? `<${attribute.join('.')}>` : JSON.stringify(part);
      })
      .join(separator);
  };
  acknowledge(
    'L1',
    'nodejs22.x is the runtime Lockstep targets and tests on; newer runtimes are adopted deliberately, not by default.',
  );
  acknowledge(
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The AWS managed basic execution role only lets a function write its own logs.',
  );
  acknowledge(
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'API Gateway needs this account-level role to write access and execution logs.',
  );
  acknowledge(
    'IAM5[Resource::*]',
    'X-Ray trace upload and CloudWatch Logs delivery (state machine logging) support no resource-level permissions.',
  );
  acknowledge(
    `IAM5[Resource::${nagReference(of.table.tableArn)}/index/*]`,
    "The functions query the engine table's own indexes and nothing else.",
  );
  acknowledge(
    'IAM5[Resource::arn:aws:ecs:<AWS::Region>:<AWS::AccountId>:service/*/*]',
    'restart-ecs-service acts on the service named in each request; narrow it with the ecsServiceArns prop.',
  );
  for (const workflow of of.workflows) {
    // What grantExecution grants: the executions of the state machine its ARN names.
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: Arn.split(workflow.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    acknowledge(
      `IAM5[Resource::${nagResource(executions)}:*]`,
      `Executions are named at run time; the grant covers the executions of one state machine (${workflow.stateMachineName}) only.`,
    );
  }
  acknowledge(
    `IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${nagReference(of.deadlines.settings.groupName)}/*]`,
    'Deadline schedules are named per execution at run time; the grant covers the engine schedule group only.',
  );
  acknowledge(
    `IAM5[Resource::${nagReference(of.versionsCheck.handler.functionArn)}:*]`,
    "The CDK Provider framework invokes its handler's versions and aliases too; the grant covers that one function.",
  );
  acknowledge(
    'SQS3',
    'These queues are the dead-letter queues of the EventBridge targets; a DLQ of a DLQ would hide nothing more.',
  );
  acknowledge('COG4', 'The API authenticates with AWS_IAM (SigV4) by contract, not with Cognito user pools.');
  acknowledge('APIG4', 'GET /health is public by contract (API.md); every other route is AWS_IAM.');
  acknowledge(
    'APIG3',
    'Callers are IAM principals behind SigV4 with stage throttling; a WAF web ACL is an account-level choice left to the deployer.',
  );
}
