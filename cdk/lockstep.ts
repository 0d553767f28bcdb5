import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { engineFunctionEnvironment } from '../lib/contract/environment.js';
import { DEFAULT_POLICY } from '../lib/domain/policies.js';
import type { WorkflowVersion } from '../lib/domain/workflow-version.js';
import { catalogFileContent } from '../lib/workflows/catalog.js';
import { withBuiltInWorkflows } from '../lib/workflows/load-workflows.js';
import { DeadlineSchedules } from './constructs/deadline-schedules.js';
import { DomainEventOutbox } from './constructs/domain-event-outbox.js';
import { EngineApi } from './constructs/engine-api.js';
import { EngineEvents } from './constructs/engine-events.js';
import { EngineFunction } from './constructs/engine-function.js';
import { EngineMonitoring } from './constructs/engine-monitoring.js';
import { ExecutionTable } from './constructs/execution-table.js';
import { type LockstepNotificationsOptions, Notifications } from './constructs/notifications.js';
import { validationError } from './constructs/validation-error.js';
import { WorkflowStateMachine } from './constructs/workflow-state-machine.js';
import { WorkflowVersionsCheck } from './constructs/workflow-versions-check.js';
import { acknowledgeNagFindings } from './nag-suppressions.js';

export interface LockstepProps {
  /**
   * Your workflow versions, from `loadWorkflows(dir)` (one folder or several, concatenated).
   * The built-in workflows are always deployed too. Default: none of your own.
   */
  readonly workflows?: readonly WorkflowVersion[];
  /** Protect the tables from deletion. Default: true. */
  readonly deletionProtection?: boolean;
  /** An address that receives the alarms. Default: none (subscribe to `alarmTopic` yourself). */
  readonly alarmEmail?: string;
  /** ECS services the built-in restart-ecs-service workflow may act on. Default: every service of the account and region. */
  readonly ecsServiceArns?: string[];
  /** How often the sweeper repairs what status events missed. Default: every minute. */
  readonly sweepInterval?: Duration;
  /**
   * IAM principal ARN patterns of the intermediaries (API.md, "Identity"): bots and chat integrations
   * whose requests may name the person they act for (`onBehalfOf`). `*` matches any run of
   * characters, everything else is literal; an assumed role calls as its session ARN, so
   * `arn:aws:sts::123456789012:assumed-role/chat-bot/*`. Default: none.
   */
  readonly intermediaries?: readonly string[];
  /** Tell a team of what needs a person (approvals, blocks, trips, optionally failures) on an SNS topic. Default: none. */
  readonly notifications?: LockstepNotificationsOptions;
}

/**
 * Everything of Lockstep in one construct (DESIGN.md): the tables, one state machine per
 * workflow version (or the existing one it names), one function per step, the engine's
 * functions, the REST API, the bus and its rules, deadline schedules, alarms and a
 * dashboard. One per account and region: the bus is named `lockstep` and the state
 * machines `lockstep-<id>-v<version>`.
 */
export class Lockstep extends Construct {
  readonly api: EngineApi;
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly alarmTopic: ITopic;
  private readonly workflows: ReadonlyMap<string, WorkflowStateMachine>;

  constructor(scope: Construct, id: string, props: LockstepProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const versions = withBuiltInWorkflows(props.workflows ?? []);
    const tables = new ExecutionTable(this, 'Tables', {
      ...(props.deletionProtection !== undefined && { deletionProtection: props.deletionProtection }),
    });
    this.table = tables.table;
    const versionsCheck = new WorkflowVersionsCheck(this, 'WorkflowVersions', { table: tables.table, versions });
    const workflows = versions.map((version) => {
      const workflow = new WorkflowStateMachine(this, `Workflow-${version.id}-v${version.version}`, {
        workflow: version,
        ...(props.ecsServiceArns && { ecsServiceArns: props.ecsServiceArns }),
      });
      // A deploy that changes a version's content is refused before any state machine changes.
      workflow.node.addDependency(versionsCheck.resource);
      return workflow;
    });
    for (const workflow of workflows) versionsCheck.remembered.node.addDependency(workflow);
    this.workflows = new Map(versions.map((v, i) => [`${v.id}@${v.version}`, workflows[i]!]));

    // The functions read the catalog (versions without definitions) from a file beside their bundle.
    const catalogFile = join(mkdtempSync(join(tmpdir(), 'lockstep-catalog-')), 'catalog.json');
    writeFileSync(catalogFile, catalogFileContent(versions));
    // The bus comes first: deadline schedules put their events on it, and the functions are told where.
    const events = new EngineEvents(this, 'Events', {
      ...(props.sweepInterval && { sweepInterval: props.sweepInterval }),
    });
    this.bus = events.bus;
    const deadlines = new DeadlineSchedules(this, 'Deadlines', { bus: events.bus });

    const settings = {
      tableName: tables.table.tableName,
      deadlineSchedules: deadlines.settings,
      stateMachineArns: Object.fromEntries(workflows.map((w) => [w.stateMachineName, w.stateMachine.stateMachineArn])),
      policy: DEFAULT_POLICY,
    };
    const fn = (
      name: string,
      extra: {
        reservedConcurrentExecutions?: number;
        timeout?: Duration;
        idempotencyTableName?: string;
        intermediaries?: readonly string[];
      } = {},
    ) => {
      const { idempotencyTableName, intermediaries, ...options } = extra;
      return new EngineFunction(this, `${name}Handler`, {
        handler: name.toLowerCase(),
        catalogFile,
        ...options,
        // The state machines' ARNs are tokens until deploy: the stack writes their JSON.
        environment: engineFunctionEnvironment(
          {
            ...settings,
            ...(idempotencyTableName && { idempotencyTableName }),
            ...(intermediaries && { intermediaries: [...intermediaries] }),
          },
          (arns) => stack.toJsonString(arns),
        ),
      }).function;
    };
    // Only the functions that admit go through the idempotency layer.
    const admits = { idempotencyTableName: tables.idempotencyTable.tableName };
    const functions = {
      // Only the API reads the intermediaries: it alone sees who calls.
      Api: fn('Api', { ...admits, ...(props.intermediaries && { intermediaries: props.intermediaries }) }),
      Trigger: fn('Trigger', admits),
      Status: fn('Status'),
      // One sweep at a time: overlapping sweeps would only repeat each other's reads.
      Sweeper: fn('Sweeper', { reservedConcurrentExecutions: 1, timeout: Duration.minutes(2) }),
    };

    for (const f of Object.values(functions)) tables.table.grantReadWriteData(f);
    for (const f of Object.values(functions)) versionsCheck.upgraded.node.addDependency(f);
    // Deadlines are armed by the status function, and disarmed by it or the sweeper when the run ends.
    for (const f of [functions.Status, functions.Sweeper]) deadlines.grantScheduling(f);
    for (const f of [functions.Api, functions.Trigger]) tables.idempotencyTable.grantReadWriteData(f);
    for (const w of workflows) {
      for (const f of [functions.Api, functions.Trigger, functions.Sweeper]) w.stateMachine.grantStartExecution(f);
      // Executions get their names at run time: grantExecution covers every execution of this one state machine.
      // Every function reads runs, and stops them (the status function one cancelled before its start was recorded).
      for (const f of Object.values(functions))
        w.stateMachine.grantExecution(
          f,
          'states:StopExecution',
          'states:DescribeExecution',
          'states:GetExecutionHistory',
        );
    }

    events.route({
      trigger: functions.Trigger,
      status: functions.Status,
      sweeper: functions.Sweeper,
      stateMachines: workflows.map((w) => w.stateMachine),
    });
    // Domain events leave through the outbox alone: no other function may put events on the bus.
    const outbox = new DomainEventOutbox(this, 'Outbox', { table: tables.table, bus: events.bus });
    if (props.notifications) new Notifications(this, 'Notifications', { ...props.notifications, bus: events.bus });

    this.api = new EngineApi(this, 'Api', { handler: functions.Api });

    const alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'Lockstep alarms',
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    if (props.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.alarmTopic = alarmTopic;
    new EngineMonitoring(this, 'Monitoring', {
      functions: { ...functions, Publisher: outbox.publisher },
      deadLetterQueues: { ...events.deadLetterQueues, domainEvents: outbox.deadLetterQueue },
      outbox: outbox.publisher,
      api: this.api.api,
      alarmTopic,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.api.url,
      description: 'The REST API (LOCKSTEP_API_URL for npm run test:e2e)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: events.bus.eventBusName,
      description: 'Put WorkflowExecution Requested events here',
    });
    new CfnOutput(this, 'TableName', { value: tables.table.tableName });

    acknowledgeNagFindings(this, { table: tables.table, deadlines, workflows, versionsCheck });
  }

  /** Lets `grantee` (a role, a user, a group) call every GET route of the API: API.md's `reader`. */
  grantRead(grantee: IGrantable): Grant {
    return this.api.grantRole(grantee, 'reader');
  }

  /** `requester`: what a reader may, and request executions (`POST /executions`, dry runs included). */
  grantRequest(grantee: IGrantable): Grant {
    return this.api.grantRole(grantee, 'requester');
  }

  /** `operator`: what a requester may, and cancel, clear blocks and decide approvals. */
  grantOperate(grantee: IGrantable): Grant {
    return this.api.grantRole(grantee, 'operator');
  }

  /** `admin`: every route. */
  grantAdmin(grantee: IGrantable): Grant {
    return this.api.grantRole(grantee, 'admin');
  }

  /** The state machine a workflow version runs on (deployed, or the existing one it names). */
  stateMachine(workflowId: string, version: string): IStateMachine {
    return this.workflow(workflowId, version).stateMachine;
  }

  /**
   * A step's function, to grant it what it calls (a step that scales a service needs that
   * permission): `lockstep.stepFunction('scale-deployment', '1', 'Scale').addToRolePolicy(...)`.
   */
  stepFunction(workflowId: string, version: string, step: string): IFunction {
    const fn = this.workflow(workflowId, version).steps.get(step);
    if (!fn)
      throw validationError(
        'LockstepUnknownStep',
        `workflow ${workflowId} version ${version} deploys no step "${step}"`,
        this,
      );
    return fn;
  }

  private workflow(workflowId: string, version: string): WorkflowStateMachine {
    const workflow = this.workflows.get(`${workflowId}@${version}`);
    if (!workflow)
      throw validationError(
        'LockstepUnknownWorkflow',
        `no workflow ${workflowId} version ${version} in this Lockstep; known: ${[...this.workflows.keys()].join(', ')}`,
        this,
      );
    return workflow;
  }
}
