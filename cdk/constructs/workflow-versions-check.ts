import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { workflowVersionsEnvironment } from '../../lib/contract/environment.js';
import type { WorkflowVersion } from '../../lib/domain/workflow-version.js';
import { EngineFunction } from './engine-function.js';

export interface WorkflowVersionsCheckProps {
  readonly table: ITable;
  readonly versions: readonly WorkflowVersion[];
}

/**
 * Immutability at deploy (functions/workflow-versions.ts): a check that fails the deploy,
 * naming the workflow, when a version comes back with other content than the engine table
 * remembers; the workflows' state machines depend on it, so a refused deploy changes none of
 * them. Then, once every workflow is deployed, a second resource remembers the new digests.
 */
export class WorkflowVersionsCheck extends Construct {
  /** What the workflows' state machines depend on: the check, before any of them changes. */
  readonly resource: CustomResource;
  /** Depends on every workflow: the digests are remembered once the versions are deployed. */
  readonly remembered: CustomResource;
  /** Made to depend on the engine's functions: an earlier layout's items are brought up to date once the code that writes the new one runs. */
  readonly upgraded: CustomResource;
  /** The function the Provider framework invokes with each CloudFormation event. */
  readonly handler: IFunction;

  constructor(scope: Construct, id: string, props: WorkflowVersionsCheckProps) {
    super(scope, id);
    // The upgrade reads the whole table once per layout: as long as Lambda allows.
    const onEvent = new EngineFunction(this, 'Handler', {
      handler: 'workflow-versions',
      environment: workflowVersionsEnvironment({ tableName: props.table.tableName }),
      timeout: Duration.minutes(15),
    }).function;
    this.handler = onEvent;
    props.table.grant(onEvent, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem');
    const provider = new Provider(this, 'Provider', {
      onEventHandler: onEvent,
      logGroup: new LogGroup(this, 'ProviderLogs', {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    // Any change of a digest is an update, so every deploy that changes a version is checked.
    const versions = props.versions.map(({ id, version, digest }) => ({ id, version, digest }));
    const stage = (id: string, name: 'check' | 'remember') =>
      new CustomResource(this, id, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::LockstepWorkflowVersions',
        properties: { Stage: name, Versions: versions },
      });
    this.resource = stage('Resource', 'check');
    this.remembered = stage('Remembered', 'remember');
    this.upgraded = new CustomResource(this, 'Upgraded', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LockstepTableLayout',
      properties: { Stage: 'upgrade' },
    });
  }
}
