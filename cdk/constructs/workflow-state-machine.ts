import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType, type IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stateMachineName } from '../../lib/workflows/catalog.js';
import { ECS_UPDATE_SERVICE, type AslDefinition } from '../../lib/workflows/definitions.js';

export interface WorkflowStateMachineProps {
  readonly workflow: { readonly id: string; readonly version: string; readonly definition: AslDefinition };
  /** ECS services the remediation workflows may act on. Default: every service of this account and region. */
  readonly ecsServiceArns?: string[];
}

/** One Standard state machine per catalog workflow, from its ASL definition, logging every event. */
export class WorkflowStateMachine extends Construct {
  readonly stateMachine: IStateMachine;
  readonly stateMachineName: string;

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const { workflow } = props;
    this.stateMachineName = stateMachineName(workflow);
    const logs = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(workflow.definition)),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
    });
    // Service integrations in the definition need their own permissions; only what each step calls.
    const resources = Object.values(workflow.definition.States).map((state) => (state as { Resource?: unknown }).Resource);
    if (resources.includes(ECS_UPDATE_SERVICE)) {
      const { account, region } = Stack.of(this);
      stateMachine.addToRolePolicy(
        new PolicyStatement({ actions: ['ecs:UpdateService'], resources: props.ecsServiceArns ?? [`arn:aws:ecs:${region}:${account}:service/*/*`] }),
      );
    }
    this.stateMachine = stateMachine;
  }
}
