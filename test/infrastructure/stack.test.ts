import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { LockstepStack } from '../../cdk/lockstep-stack.js';
import { gatewayResourcePath, ROUTES } from '../../lib/contract/routes.js';
import { stateMachineName } from '../../lib/workflows/catalog.js';
import { loadBuiltInWorkflows } from '../../lib/workflows/load-workflows.js';

const BUILT_IN_WORKFLOWS = loadBuiltInWorkflows();

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

describe('the CDK stack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(new LockstepStack(new App(), 'Lockstep'));
  });

  const statementsOf = (roleLogicalIdPrefix: string): Statement[] =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleLogicalIdPrefix))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  const actions = (statement: Statement) => [statement.Action].flat();

  it('has the engine table from the shared definition: on demand, PITR, TTL, its three indexes, deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'by-target', Projection: { ProjectionType: 'ALL' } }),
        Match.objectLike({ IndexName: 'active', Projection: { ProjectionType: 'ALL' } }),
        Match.objectLike({ IndexName: 'by-created', Projection: { ProjectionType: 'ALL' } }),
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
  });

  it('lets deletion protection be turned off (LocalStack, throwaway stacks)', () => {
    const unprotected = Template.fromStack(new LockstepStack(new App(), 'Unprotected', { deletionProtection: false }));
    unprotected.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  it('has one Standard state machine per catalog workflow, with logging and tracing', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', BUILT_IN_WORKFLOWS.length);
    for (const workflow of BUILT_IN_WORKFLOWS) {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: stateMachineName(workflow),
        StateMachineType: 'STANDARD',
        DefinitionString: JSON.stringify(workflow.definition),
        LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
        TracingConfiguration: { Enabled: true },
      });
    }
  });

  it('bundles every function for nodejs22.x on arm64 with the engine configuration, and logs with a retention', () => {
    const bundled = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }),
    );
    // The four engine functions, the outbox's publisher and the deploy-time workflow versions check; the CDK Provider framework's own function is not ours to bundle.
    expect(bundled).toHaveLength(6);
    for (const fn of bundled)
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    const engine = bundled.filter((fn) => fn.Properties.Environment.Variables.STATE_MACHINE_ARNS);
    expect(engine).toHaveLength(4);
    for (const fn of engine) {
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining(['TABLE_NAME', 'STATE_MACHINE_ARNS', 'NODE_OPTIONS']),
      );
      // The engine no longer publishes (the outbox does), and only the functions that admit keep idempotency records.
      expect(fn.Properties.Environment.Variables.EVENT_BUS_NAME).toBeUndefined();
    }
    expect(engine.filter((fn) => fn.Properties.Environment.Variables.IDEMPOTENCY_TABLE_NAME)).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1, Timeout: 120 });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')))
      expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('checks at deploy that no deployed workflow version changed, before any state machine is touched, and remembers the digests once all are deployed', () => {
    const resources = Object.entries(template.findResources('Custom::LockstepWorkflowVersions'));
    expect(resources.map(([, r]) => r.Properties.Stage).sort()).toEqual(['check', 'remember']);
    const versions = BUILT_IN_WORKFLOWS.map(({ id, version, digest }) => ({ id, version, digest }));
    for (const [, resource] of resources) expect(resource.Properties.Versions).toEqual(versions);
    const [checkId] = resources.find(([, r]) => r.Properties.Stage === 'check')!;
    const [, remember] = resources.find(([, r]) => r.Properties.Stage === 'remember')!;
    for (const [id, sm] of Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))) {
      expect(sm.DependsOn).toContain(checkId);
      expect(remember.DependsOn).toContain(id);
    }
    const handler = statementsOf('WorkflowVersionsHandler');
    expect(
      handler
        .flatMap(actions)
        .filter((a) => !a.startsWith('xray:'))
        .sort(),
    ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
  });

  it("brings an earlier layout's items up to date once the functions that write this layout run", () => {
    const [, upgrade] = Object.entries(template.findResources('Custom::LockstepTableLayout'))[0]!;
    expect(upgrade.Properties.Stage).toBe('upgrade');
    const engineFunctions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
      ([, fn]) => fn.Properties.Environment?.Variables?.STATE_MACHINE_ARNS,
    );
    expect(engineFunctions).toHaveLength(4);
    for (const [id] of engineFunctions) expect(upgrade.DependsOn).toContain(id);
  });

  it('has exactly the routes of the one route table, each a method on its resource, no more', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const restApi = Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0]!;
    const rootRef = JSON.stringify({ 'Fn::GetAtt': [restApi, 'RootResourceId'] });
    const pathOf = (ref: unknown): string => {
      if (JSON.stringify(ref) === rootRef) return '';
      const resource = Object.entries(resources).find(
        ([id]) => JSON.stringify(ref) === JSON.stringify({ Ref: id }),
      )![1];
      return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
    };
    const deployed = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
      (m) => `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId)}`,
    );
    // The public GET /health is open for HEAD too (health checks), and has nothing else (API.md, "Authentication").
    const routes = Object.values(ROUTES).flatMap((r) =>
      r.role === 'none' && r.method === 'GET'
        ? [`GET ${r.path}`, `HEAD ${r.path}`]
        : [`${r.method} ${gatewayResourcePath(r.path)}`],
    );
    expect(deployed.filter((m) => !m.startsWith('ANY ')).sort()).toEqual(routes.sort());
    // Every other method on those resources, and every other path, goes to the function, signed, which answers
    // 405 or 404; except under /health, which the gateway answers itself.
    const resourcePaths = new Set(
      Object.values(ROUTES).flatMap((r) =>
        gatewayResourcePath(r.path)
          .split('/')
          .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
      ),
    );
    const anyPaths = deployed.filter((m) => m.startsWith('ANY ')).map((m) => m.slice(4));
    for (const path of resourcePaths) if (path !== '/health') expect(anyPaths).toContain(path);
    expect(anyPaths.filter((p) => p.startsWith('/health'))).toEqual([]);
    // Deeper unknown paths: a greedy child wherever API Gateway allows one (not beside {id}, not under {target+}).
    expect(anyPaths.filter((p) => p.endsWith('/{proxy+}')).sort()).toEqual(
      [
        '',
        '/identity',
        '/executions/{id}',
        '/executions/{id}/approval',
        '/executions/{id}/cancel',
        '/executions/{id}/events',
        '/executions/{id}/steps',
        '/workflows/{id}',
      ]
        .map((p) => `${p}/{proxy+}`)
        .sort(),
    );
  });

  it('answers what the gateway refuses itself with the API error body: 400 ValidationError, 401 Unauthorized, 403 Forbidden, 429, 500', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (r) => r.Properties,
    );
    const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]));
    expect(byType.BAD_REQUEST_BODY).toMatchObject({ StatusCode: '400' });
    expect(byType.BAD_REQUEST_BODY.ResponseTemplates['application/json']).toContain('"code":"ValidationError"');
    for (const type of ['MISSING_AUTHENTICATION_TOKEN', 'INVALID_SIGNATURE', 'EXPIRED_TOKEN']) {
      expect(byType[type]).toMatchObject({ StatusCode: '401' });
      expect(byType[type].ResponseTemplates['application/json']).toContain('"code":"Unauthorized"');
    }
    // IAM holds the roles: a signed call beyond the identity's grants.
    expect(byType.ACCESS_DENIED).toMatchObject({ StatusCode: '403' });
    expect(byType.ACCESS_DENIED.ResponseTemplates['application/json']).toContain('"code":"Forbidden"');
    expect(byType.DEFAULT_5XX.ResponseTemplates['application/json']).toContain('"code":"InternalError"');
  });

  it('requires AWS_IAM on every API method except GET and HEAD /health, validates requests, throttles and logs access', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const open = methods.filter((m) => m.Properties.AuthorizationType !== 'AWS_IAM');
    expect(open.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'HEAD']);
    const healthId = Object.keys(
      template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: 'health' } }),
    )[0]!;
    const belowHealth = Object.keys(
      template.findResources('AWS::ApiGateway::Resource', { Properties: { ParentId: { Ref: healthId } } }),
    );
    for (const method of open) {
      expect(method.Properties.AuthorizationType).toBe('NONE');
      expect([healthId, ...belowHealth]).toContain(method.Properties.ResourceId.Ref);
    }
    for (const method of methods) expect(method.Properties.RequestValidatorId).toBeDefined();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['targetResource', 'workflowId'], additionalProperties: false }),
    });
  });

  it('routes requests, status changes of its own state machines only, and a schedule, each with retries and a DLQ', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'lockstep' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['WorkflowExecution Requested'] },
    });
    const status = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.states'] } },
    });
    const pattern = Object.values(status)[0]!.Properties.EventPattern;
    expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(pattern.detail.stateMachineArn).toHaveLength(BUILT_IN_WORKFLOWS.length);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
      for (const target of rule.Properties.Targets) {
        expect(target.DeadLetterConfig.Arn).toBeDefined();
        expect(target.RetryPolicy.MaximumRetryAttempts).toBe(8);
      }
    }
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('alarms on failures, skips per reason, handler errors, DLQ depth, unpublished or late domain events and sweeper repairs, and has a dashboard', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toHaveLength(1 + 4 + 5 + 5 + 2 + 1);
    expect(alarms.find((a) => a.MetricName === 'lockstep_domain_events_unpublished_total')).toMatchObject({
      Namespace: 'Lockstep',
      Threshold: 1,
      Statistic: 'Sum',
    });
    const behind = alarms.find((a) => a.MetricName === 'IteratorAge');
    expect(behind).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Maximum', Threshold: 300_000 });
    expect(JSON.stringify(behind!.Dimensions)).toContain('OutboxPublisher');
    expect(
      alarms
        .filter((a) => a.MetricName === 'workflowexecution_skip_total')
        .map((a) => a.Dimensions[0].Value)
        .sort(),
    ).toEqual(['ExhaustedRetries', 'PreviousExecutionFailed', 'RecentlyRemediated', 'ResourceBusy']);
    expect(alarms.some((a) => a.MetricName === 'workflowexecution_total' && a.Dimensions[0].Value === 'Failed')).toBe(
      true,
    );
    expect(alarms.some((a) => a.MetricName === 'lockstep_sweeper_repairs_total')).toBe(true);
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(5);
    expect(alarms.filter((a) => a.MetricName === 'Errors')).toHaveLength(5);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  describe('the outbox', () => {
    it('streams every write of the engine table with its old and new image', () => {
      const engineTable = Object.values(template.findResources('AWS::DynamoDB::Table')).find((t) =>
        JSON.stringify(t.Properties.KeySchema).includes('"PK"'),
      );
      expect(engineTable?.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    });

    it('feeds the stream to the publisher: from the oldest record, partial batch failures, bisection, retries until 12 h old, then a DLQ', () => {
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map(
        (m) => m.Properties,
      );
      expect(mappings).toHaveLength(1);
      const [mapping] = mappings;
      expect(JSON.stringify(mapping.FunctionName)).toContain('OutboxPublisher');
      expect(JSON.stringify(mapping.EventSourceArn)).toContain('StreamArn');
      expect(mapping).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRecordAgeInSeconds: 12 * 3600,
      });
      expect(mapping.FilterCriteria).toEqual({
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { entity: { S: ['execution'] } } } }) }],
      });
      expect(mapping.MaximumRetryAttempts).toBeUndefined(); // retried until the record is too old, not a fixed number of times
      expect(JSON.stringify(mapping.DestinationConfig.OnFailure.Destination)).toContain('OutboxDlq');
      const publisher = Object.values(template.findResources('AWS::Lambda::Function')).find((f) =>
        JSON.stringify(f.Properties.Role).includes('OutboxPublisher'),
      )!;
      expect(publisher.Properties.Environment.Variables).toMatchObject({ EVENT_BUS_NAME: 'lockstep' });
      expect(Object.keys(publisher.Properties.Environment.Variables)).not.toContain('TABLE_NAME');
    });

    it('lets the publisher alone put events on the bus; the publisher reads the stream and touches no table item', () => {
      const putters = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) =>
          (policy.Properties.PolicyDocument.Statement as Statement[]).some((s) =>
            actions(s).includes('events:PutEvents'),
          ),
        )
        .map((policy) => JSON.stringify(policy.Properties.Roles));
      // Besides the publisher, only EventBridge Scheduler's role, which puts the deadline events.
      expect(putters).toHaveLength(2);
      expect(putters.filter((roles) => roles.includes('OutboxPublisher'))).toHaveLength(1);
      expect(putters.filter((roles) => roles.includes('DeadlinesRole'))).toHaveLength(1);
      for (const role of ['ApiHandler', 'TriggerHandler', 'StatusHandler', 'SweeperHandler'])
        expect(statementsOf(role).flatMap(actions)).not.toContain('events:PutEvents');
      const publisherActions = statementsOf('OutboxPublisher').flatMap(actions);
      expect(publisherActions).toEqual(
        expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'events:PutEvents']),
      );
      expect(
        publisherActions.filter((a) =>
          /^dynamodb:(PutItem|UpdateItem|DeleteItem|GetItem|Query|Scan|BatchWriteItem|TransactWriteItems)$/.test(a),
        ),
      ).toEqual([]);
    });
  });

  it('enforces deadlines when they pass: a schedule group, a role Scheduler puts deadline events on the engine bus with, and a rule from the bus to the sweeper', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((r) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );
    expect(role).toBeDefined();
    const rule = Object.values(template.findResources('AWS::Events::Rule')).find((r) =>
      JSON.stringify(r.Properties.EventPattern ?? {}).includes('Lockstep Deadline'),
    );
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['lockstep.deadlines'],
      'detail-type': ['Lockstep Deadline'],
    });
    expect(JSON.stringify(rule?.Properties.Targets)).toContain('SweeperHandler');
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const variables = fn.Properties.Environment?.Variables ?? {};
      if (!variables.STATE_MACHINE_ARNS) continue;
      expect(Object.keys(variables)).toEqual(
        expect.arrayContaining(['DEADLINE_SCHEDULE_GROUP', 'DEADLINE_TARGET_ARN', 'DEADLINE_ROLE_ARN']),
      );
    }
    // The API and the trigger only admit and cancel: they neither arm nor disarm.
    for (const role of ['ApiHandler', 'TriggerHandler'])
      expect(
        statementsOf(role)
          .flatMap(actions)
          .filter((a) => a.startsWith('scheduler:')),
      ).toEqual([]);
    for (const role of ['StatusHandler', 'SweeperHandler']) {
      const scheduling = statementsOf(role).filter((s) => actions(s).some((a) => a.startsWith('scheduler:')));
      expect(scheduling.flatMap(actions).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
      expect(JSON.stringify(scheduling[0]!.Resource)).toContain('DeadlinesGroup');
    }
  });

  describe('least privilege', () => {
    it('grants no wildcard action anywhere', () => {
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
        for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
          for (const action of actions(statement)) expect(action, JSON.stringify(statement)).not.toMatch(/\*/);
        }
      }
    });

    it("starts and stops only the catalog's state machines, and reaches DynamoDB only on its tables and their indexes", () => {
      const smRefs = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
      const tableRefs = Object.keys(template.findResources('AWS::DynamoDB::Table'));
      // What grantExecution grants on: the executions of one state machine, named from its ARN.
      const executionsOf = (ref: string) => ({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':states:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':execution:',
            { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: ref }] }] },
            ':*',
          ],
        ],
      });
      for (const role of ['ApiHandler', 'TriggerHandler', 'StatusHandler', 'SweeperHandler']) {
        const statements = statementsOf(role);
        expect(statements.length).toBeGreaterThan(0);
        const stopped = statements
          .filter((s) => actions(s).includes('states:StopExecution'))
          .flatMap((s) => [s.Resource].flat());
        expect(stopped).toEqual(expect.arrayContaining(smRefs.map(executionsOf)));
        expect(stopped).toHaveLength(smRefs.length);
        for (const statement of statements) {
          const resources = JSON.stringify(statement.Resource);
          if (actions(statement).some((a) => a === 'states:StartExecution')) {
            expect(actions(statement)).toEqual(['states:StartExecution']);
            expect(smRefs.some((ref) => resources.includes(ref))).toBe(true);
          }
          if (actions(statement).some((a) => a.startsWith('states:') && a !== 'states:StartExecution')) {
            expect(actions(statement).sort()).toEqual([
              'states:DescribeExecution',
              'states:GetExecutionHistory',
              'states:StopExecution',
            ]);
            expect(resources).not.toMatch(/execution:\*/);
          }
          if (actions(statement).some((a) => a.startsWith('dynamodb:'))) {
            const referenced = [statement.Resource].flat().map((r) => JSON.stringify(r));
            for (const resource of referenced) expect(tableRefs.some((ref) => resource.includes(ref))).toBe(true);
          }
        }
      }
      // The status handler never starts anything (it stops a run cancelled before its start was recorded).
      expect(statementsOf('StatusHandler').flatMap(actions)).not.toContain('states:StartExecution');
    });
  });

  it('matches the snapshot (asset hashes normalized)', () => {
    const json = JSON.stringify(template.toJSON(), null, 2).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>');
    expect(json).toMatchSnapshot();
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the stack, neither errors nor warnings (AwsSolutions pack)', () => {
    const app = new App();
    new LockstepStack(app, 'Lockstep');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    const assembly = app.synth();

    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations: unknown[];
      }[];
    };
    const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(nag).toMatchObject({ conclusion: 'success', violations: [] });
    expect(nag!.suppressedViolations.length).toBeGreaterThan(0); // the acknowledged ones, each with its reason
  });

  it('does fail synthesis on a finding nobody acknowledged', () => {
    const app = new App();
    const stack = new LockstepStack(app, 'Lockstep');
    new Queue(stack, 'Careless'); // no DLQ, no SSL enforcement
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).toThrow(/SQS4|Validation failed/);
  });
});
