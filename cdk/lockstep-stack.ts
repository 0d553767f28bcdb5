import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { ENGINE_BUS_NAME } from '../lib/adapters/eventbridge/domain-event-publisher.js';
import { DEFAULT_POLICY } from '../lib/domain/policies.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogFileContent } from '../lib/workflows/catalog.js';
import { loadBuiltInWorkflows } from '../lib/workflows/load-workflows.js';
import { DeadlineSchedules } from './constructs/deadline-schedules.js';
import { EngineApi } from './constructs/engine-api.js';
import { EngineEvents } from './constructs/engine-events.js';
import { EngineFunction } from './constructs/engine-function.js';
import { EngineMonitoring } from './constructs/engine-monitoring.js';
import { ExecutionTable } from './constructs/execution-table.js';
import { WorkflowStateMachine } from './constructs/workflow-state-machine.js';
import { applyNagSuppressions } from './nag-suppressions.js';

export interface LockstepStackProps extends StackProps {
  /** Protect the tables from deletion. Default: true. */
  readonly deletionProtection?: boolean;
  /** ECS services the restart workflow may act on. Default: every service of the account and region. */
  readonly ecsServiceArns?: string[];
  /** An address that receives the alarms. Default: none (subscribe to the topic yourself). */
  readonly alarmEmail?: string;
  /** Default: every minute. */
  readonly sweepInterval?: Duration;
}

/** Lockstep in one stack: it only composes the constructs. */
export class LockstepStack extends Stack {
  readonly api: EngineApi;

  constructor(scope: Construct, id: string, props: LockstepStackProps = {}) {
    super(scope, id, props);
    const tables = new ExecutionTable(this, 'Tables', { ...(props.deletionProtection !== undefined && { deletionProtection: props.deletionProtection }) });
    const versions = loadBuiltInWorkflows();
    const workflows = versions.map(
      (version) => new WorkflowStateMachine(this, `Workflow-${version.id}-v${version.version}`, { workflow: { ...version, definition: version.definition! }, ...(props.ecsServiceArns && { ecsServiceArns: props.ecsServiceArns }) }),
    );
    // The functions read the catalog (versions without definitions) from a file beside their bundle.
    const catalogFile = join(mkdtempSync(join(tmpdir(), 'lockstep-catalog-')), 'catalog.json');
    writeFileSync(catalogFile, catalogFileContent(versions));
    const stateMachines = workflows.map((w) => w.stateMachine);
    const deadlines = new DeadlineSchedules(this, 'Deadlines', { eventBusName: ENGINE_BUS_NAME });

    const environment = {
      TABLE_NAME: tables.table.tableName,
      IDEMPOTENCY_TABLE_NAME: tables.idempotencyTable.tableName,
      EVENT_BUS_NAME: ENGINE_BUS_NAME,
      ...deadlines.environment,
      STATE_MACHINE_ARNS: this.toJsonString(Object.fromEntries(workflows.map((w) => [w.stateMachineName, w.stateMachine.stateMachineArn]))),
      LOCKSTEP_COOLDOWN_SECONDS: String(DEFAULT_POLICY.cooldownSeconds),
      LOCKSTEP_BACKOFF_BASE_SECONDS: String(DEFAULT_POLICY.backoffBaseSeconds),
      LOCKSTEP_BACKOFF_MAX_SECONDS: String(DEFAULT_POLICY.backoffMaxSeconds),
      LOCKSTEP_MAX_CONSECUTIVE_FAILURES: String(DEFAULT_POLICY.maxConsecutiveFailures),
    };
    const fn = (name: string, extra: { reservedConcurrentExecutions?: number; timeout?: Duration } = {}) =>
      new EngineFunction(this, `${name}Handler`, { handler: name.toLowerCase(), environment, catalogFile, ...extra }).function;
    const functions = {
      Api: fn('Api'),
      Trigger: fn('Trigger'),
      Status: fn('Status'),
      // One sweep at a time: overlapping sweeps would only repeat each other's reads.
      Sweeper: fn('Sweeper', { reservedConcurrentExecutions: 1, timeout: Duration.minutes(2) }),
    };

    for (const f of Object.values(functions)) tables.table.grantReadWriteData(f);
    // Deadlines are armed by the status function and disarmed by whichever function ends an execution.
    for (const f of Object.values(functions)) deadlines.grantScheduling(f);
    for (const f of [functions.Api, functions.Trigger]) tables.idempotencyTable.grantReadWriteData(f);
    // Executions get their ARNs at run time: each grant covers the executions of the catalog's own state machines.
    const executionArns = workflows.map((w) => this.formatArn({ service: 'states', resource: 'execution', resourceName: `${w.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    for (const f of [functions.Api, functions.Trigger, functions.Sweeper]) {
      for (const sm of stateMachines) sm.grantStartExecution(f);
      f.addToRolePolicy(new PolicyStatement({ actions: ['states:StopExecution'], resources: executionArns }));
    }
    for (const f of Object.values(functions)) {
      f.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: executionArns }));
    }

    const events = new EngineEvents(this, 'Events', {
      eventBusName: ENGINE_BUS_NAME,
      trigger: functions.Trigger,
      status: functions.Status,
      sweeper: functions.Sweeper,
      stateMachines,
      ...(props.sweepInterval && { sweepInterval: props.sweepInterval }),
    });
    for (const f of Object.values(functions)) events.bus.grantPutEventsTo(f);

    this.api = new EngineApi(this, 'Api', { handler: functions.Api });

    const alarmTopic = new Topic(this, 'Alarms', { displayName: 'Lockstep alarms', enforceSSL: true, masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns') });
    if (props.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    new EngineMonitoring(this, 'Monitoring', { functions, deadLetterQueues: events.deadLetterQueues, api: this.api.api, alarmTopic });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'The REST API (LOCKSTEP_API_URL for npm run test:e2e)' });
    new CfnOutput(this, 'EventBusName', { value: events.bus.eventBusName, description: 'Put WorkflowExecution Requested events here' });
    new CfnOutput(this, 'TableName', { value: tables.table.tableName });

    applyNagSuppressions(this, workflows.map((w) => w.stateMachineName));
  }
}
