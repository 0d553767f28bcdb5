import { Arn, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Role } from '../lib/contract/routes.js';
import type { DeadlineSchedules } from './constructs/deadline-schedules.js';
import type { WorkflowStateMachine } from './constructs/workflow-state-machine.js';
import type { WorkflowVersionsCheck } from './constructs/workflow-versions-check.js';

const PACK = 'AwsSolutions::AwsSolutions';

/** How cdk-nag writes a reference: `<LogicalId.Arn>` for Fn::GetAtt, `<LogicalId>` for Ref. */
function nagReferenceIn(stack: Stack, token: string): string {
  const resolved = stack.resolve(token) as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
  return resolved['Fn::GetAtt'] ? `<${resolved['Fn::GetAtt'].join('.')}>` : `<${resolved.Ref}>`;
}

/**
 * How cdk-nag writes a resource: a literal as it is, the parts of its Fn::Join, references as above,
 * other functions as JSON. So an ARN made of the stack's region and account reads
 * `<AWS::Region>`/`<AWS::AccountId>` in an environment-agnostic stack and `eu-west-1`/`123456789012`
 * in a stack with a concrete environment, and each acknowledgement matches either.
 */
function nagResourceIn(stack: Stack, token: string): string {
  const resolved = stack.resolve(token) as string | { 'Fn::Join': [string, unknown[]] } | { Ref: string };
  if (typeof resolved === 'string') return resolved;
  if (!('Fn::Join' in resolved)) return nagReferenceIn(stack, token);
  const [separator, parts] = resolved['Fn::Join'];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const { Ref: ref, 'Fn::GetAtt': attribute } = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (ref !== undefined) return `<${ref}>`;
      return attribute ? `<${attribute.join('.')}>` : JSON.stringify(part);
    })
    .join(separator);
}

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
  const nagReference = (token: string) => nagReferenceIn(stack, token);
  const nagResource = (token: string) => nagResourceIn(stack, token);
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
    `IAM5[Resource::${nagResource(`arn:aws:ecs:${stack.region}:${stack.account}:service/*/*`)}]`,
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
    `IAM5[Resource::${nagResource(`arn:${stack.partition}:scheduler:${stack.region}:${stack.account}:schedule/${of.deadlines.settings.groupName}/*`)}]`,
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

/**
 * A grant's wildcards, acknowledged for cdk-nag on the grantee (its policies are its children), as
 * the finding names each resource in the grantee's stack: the `*` of each path stands for an
 * execution id or a target resource, which no policy can list in advance.
 */
export function acknowledgeGrantWildcards(grantee: IGrantable, role: Role, resourceArns: readonly string[]): void {
  if (!Construct.isConstruct(grantee)) return;
  const stack = Stack.of(grantee);
  for (const arn of resourceArns)
    Validations.of(grantee).acknowledge({
      id: `${PACK}-IAM5[Resource::${nagResourceIn(stack, arn)}]`,
      reason: `Lockstep's ${role} role: execute-api:Invoke on one route of the API, whose * is an execution id or a target resource named at run time.`,
    });
}
