import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { WorkflowVersion } from '../../lib/workflows/workflow-version.js';
import { EngineFunction } from './engine-function.js';

export interface WorkflowVersionsCheckProps {
  readonly table: ITable;
  readonly versions: readonly WorkflowVersion[];
}

/**
 * Immutability at deploy: a custom resource (functions/workflow-versions.ts) that remembers
 * each deployed version's digest in the engine table and fails the deploy, naming the
 * workflow, when a version comes back with other content. The workflows' state machines
 * depend on it, so a refused deploy changes none of them.
 */
export class WorkflowVersionsCheck extends Construct {
  readonly resource: CustomResource;
  /** The function the Provider framework invokes with each CloudFormation event. */
  readonly handler: IFunction;

  constructor(scope: Construct, id: string, props: WorkflowVersionsCheckProps) {
    super(scope, id);
    const onEvent = new EngineFunction(this, 'Handler', { handler: 'workflow-versions', environment: { TABLE_NAME: props.table.tableName } }).function;
    this.handler = onEvent;
    props.table.grant(onEvent, 'dynamodb:GetItem', 'dynamodb:PutItem');
    const provider = new Provider(this, 'Provider', {
      onEventHandler: onEvent,
      logGroup: new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    // Any change of a digest is an update, so every deploy that changes a version is checked.
    const versions = props.versions.map(({ id, version, digest }) => ({ id, version, digest }));
    this.resource = new CustomResource(this, 'Resource', { serviceToken: provider.serviceToken, resourceType: 'Custom::LockstepWorkflowVersions', properties: { Versions: versions } });
  }
}
