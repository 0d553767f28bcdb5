import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, type IFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IStateMachine,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { sourceMapsEnvironment } from '../../lib/contract/environment.js';
import { STEP_DEFAULTS, type WorkflowStep, type WorkflowVersion } from '../../lib/domain/workflow-version.js';
import { stateMachineName } from '../../lib/workflows/catalog.js';
import { ECS_UPDATE_SERVICE } from '../../lib/workflows/definitions.js';
import { resolveStepPlaceholders, taskResources } from '../../lib/workflows/validate-definition.js';
import { BUNDLING, bundlingRootOf } from './bundling.js';
import { validationError } from './validation-error.js';

export interface WorkflowStateMachineProps {
  readonly workflow: WorkflowVersion;
  /** ECS services the remediation workflows may act on. Default: every service of this account and region. */
  readonly ecsServiceArns?: string[];
}

/**
 * One workflow version on AWS. With a definition: a Standard state machine logging every
 * event, each step its own function with its ARN in place of `${Name}`, and a role that may
 * invoke exactly those functions. With `stateMachineArn`: that existing state machine (a
 * stand-in definition is for local mode only, so nothing is deployed).
 */
export class WorkflowStateMachine extends Construct {
  readonly stateMachine: IStateMachine;
  /** The key of this version in the functions' STATE_MACHINE_ARNS (see lib/workflows/state-machines.ts). */
  readonly stateMachineName: string;
  /** The step functions by step name (none for an existing state machine). */
  readonly steps: ReadonlyMap<string, IFunction>;

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const { workflow } = props;
    this.stateMachineName = stateMachineName(workflow);
    const stack = Stack.of(this);

    if (workflow.stateMachineArn !== undefined) {
      const { region, account } = Arn.split(workflow.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
      for (const [what, theirs, ours] of [
        ['region', region, stack.region],
        ['account', account, stack.account],
      ] as const) {
        if (!Token.isUnresolved(ours) && theirs !== ours) {
          throw validationError(
            'LockstepStateMachineElsewhere',
            `workflow ${workflow.id} version ${workflow.version}: stateMachineArn is in ${what} ${theirs}, this stack in ${ours}; the engine only sees status changes of state machines in its own account and region`,
            this,
          );
        }
      }
      this.stateMachine = StateMachine.fromStateMachineArn(this, 'Existing', workflow.stateMachineArn);
      this.steps = new Map();
      return;
    }

    const definition = workflow.definition!;
    const steps = new Map(workflow.steps.map((step) => [step.name, stepFunction(this, workflow, step)]));
    const logs = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(
        stack.toJsonString(resolveStepPlaceholders(definition, (step) => steps.get(step)!.functionArn)),
      ),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
    });
    // Exactly the workflow's own functions, unqualified: a definition names a function by its ARN.
    if (steps.size > 0)
      stateMachine.addToRolePolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [...steps.values()].map((fn) => fn.functionArn),
        }),
      );
    // Service integrations in the definition need their own permissions; only what each step calls.
    if (taskResources(definition).includes(ECS_UPDATE_SERVICE)) {
      stateMachine.addToRolePolicy(
        new PolicyStatement({
          actions: ['ecs:UpdateService'],
          resources: props.ecsServiceArns ?? [`arn:aws:ecs:${stack.region}:${stack.account}:service/*/*`],
        }),
      );
    }
    this.stateMachine = stateMachine;
    this.steps = steps;
  }
}

/**
 * A step handler as its own function: bundled from the user's project by the local esbuild
 * (see BUNDLING), Node.js 22 on arm64, the timeout and memory of workflow.json (local mode's
 * defaults otherwise), its own log group with a retention.
 */
function stepFunction(scope: Construct, workflow: WorkflowVersion, step: WorkflowStep): NodejsFunction {
  const logGroup = new LogGroup(scope, `${step.name}Logs`, {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new NodejsFunction(scope, `${step.name}Step`, {
    entry: step.handler,
    handler: 'handler',
    ...bundlingRootOf(step.handler),
    description: `Lockstep step ${step.name} of workflow ${workflow.id} version ${workflow.version}`,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    timeout: Duration.seconds(step.timeoutSeconds ?? STEP_DEFAULTS.timeoutSeconds),
    memorySize: step.memorySize ?? STEP_DEFAULTS.memorySize,
    tracing: Tracing.ACTIVE,
    logGroup,
    environment: sourceMapsEnvironment(),
    bundling: BUNDLING,
  });
}
