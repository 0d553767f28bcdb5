import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { Lockstep } from '../../cdk/index.js';
import { LockstepStack } from '../../cdk/lockstep-stack.js';
import { stateMachineName } from '../../lib/workflows/catalog.js';
import { loadBuiltInWorkflows, loadWorkflows, WorkflowFolderError } from '../../lib/workflows/load-workflows.js';

/** A team's workflows folder: Parallel, Map, Retry, Catch, Choice, TypeScript and JavaScript steps, an existing state machine with a stand-in. */
const TEAM_WORKFLOWS = fileURLToPath(new URL('../support/fixtures/workflows/', import.meta.url));
const EXISTING_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:legacy-restart';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Resource = {
  Type: string;
  Properties: Record<string, unknown> & { Environment?: { Variables: Record<string, unknown> } };
  DependsOn?: string[];
};

describe('the Lockstep construct with a team’s own workflows', () => {
  const team = loadWorkflows(TEAM_WORKFLOWS);
  let template: Template;
  let resources: Record<string, Resource>;
  beforeAll(() => {
    template = Template.fromStack(new LockstepStack(new App(), 'Lockstep', { workflows: team }));
    resources = template.toJSON().Resources as Record<string, Resource>;
  }, 120_000);

  const policiesOfRole = (roleLogicalId: string): Statement[] =>
    Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const actions = (statement: Statement) => [statement.Action].flat();
  const stepFunctions = () =>
    Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description ?? '').startsWith('Lockstep step '),
    );
  const stateMachineOf = (name: string) =>
    Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === name,
    )!;

  it('deploys one state machine per version it runs: the built-in ones and each team version with a definition, none for an existing state machine', () => {
    const names = Object.values(resources)
      .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')
      .map((r) => r.Properties.StateMachineName);
    expect(names.sort()).toEqual(
      [...loadBuiltInWorkflows(), ...team.filter((w) => !w.stateMachineArn)].map(stateMachineName).sort(),
    );
    expect(names).not.toContain(stateMachineName({ id: 'restart-legacy', version: '2' }));
  });

  it('makes each step its own function: nodejs22.x on arm64, the timeout and memory of workflow.json (60 s and 128 MB otherwise), a log group with a retention', () => {
    const functions = stepFunctions();
    const expected = team
      .filter((w) => !w.stateMachineArn)
      .flatMap((w) => w.steps.map((s) => `Lockstep step ${s.name} of workflow ${w.id} version ${w.version}`));
    expect(functions.map(([, fn]) => fn.Properties.Description).sort()).toEqual(expected.sort());
    const drain = functions.find(([, fn]) => String(fn.Properties.Description).includes('DrainNode'))![1];
    expect(drain.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 120,
      MemorySize: 256,
    });
    const list = functions.find(([, fn]) => String(fn.Properties.Description).includes('ListNodes'))![1];
    expect(list.Properties).toMatchObject({ Timeout: 60, MemorySize: 128 });
    for (const [, fn] of functions) {
      const group = resources[(fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref]!;
      expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it("puts each step function's ARN in place of ${Name}, at any depth, and lets the state machine invoke exactly its own functions", () => {
    for (const workflow of team.filter((w) => !w.stateMachineArn)) {
      const [, sm] = stateMachineOf(stateMachineName(workflow));
      const definition = JSON.stringify(sm.Properties.DefinitionString);
      expect(definition).not.toMatch(/\$\{[A-Za-z]/);
      const referenced = new Set(
        [...definition.matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g)].map((m) => m[1]!),
      );
      const own = new Set(
        stepFunctions()
          .filter(([, fn]) =>
            String(fn.Properties.Description).endsWith(`of workflow ${workflow.id} version ${workflow.version}`),
          )
          .map(([id]) => id),
      );
      expect(own.size).toBe(workflow.steps.length);
      expect(referenced).toEqual(own);

      const role = (sm.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const invoke = policiesOfRole(role).filter((s) => actions(s).includes('lambda:InvokeFunction'));
      expect(invoke).toHaveLength(1);
      expect(actions(invoke[0]!)).toEqual(['lambda:InvokeFunction']);
      const granted = [invoke[0]!.Resource]
        .flat()
        .map((r) => (r as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
      expect(new Set(granted)).toEqual(own);
    }
    // The definition as deployed, each function ARN written as arn(<its logical id>): the Map's Task inside a Parallel branch has its own.
    const [, drain] = stateMachineOf('lockstep-drain-nodes-v1_2');
    const parts = (
      drain.Properties.DefinitionString as { 'Fn::Join': [string, (string | { 'Fn::GetAtt': [string, string] })[]] }
    )['Fn::Join'][1];
    const deployed = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `arn(${p['Fn::GetAtt'][0]})`)).join(''));
    const mapTask = deployed.States.DrainAndNotify.Branches[0].States.EachNode.ItemProcessor.States.DrainNode;
    expect(mapTask.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(mapTask.Parameters.FunctionName).toMatch(/^arn\(Workflowdrainnodesv12DrainNodeStep[0-9A-F]{8}\)$/);
    expect(deployed.States.DrainAndNotify.Branches[1].States.Notify.Resource).toMatch(
      /^arn\(Workflowdrainnodesv12NotifyStep[0-9A-F]{8}\)$/,
    );
  });

  it('starts, stops and reads the existing state machine by its ARN, exactly, and listens to its status changes', () => {
    const engineRoles = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables.STATE_MACHINE_ARNS)
      .map((r) => (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    expect(engineRoles).toHaveLength(4);
    // grantExecution writes the executions' ARN in the stack's partition, region and account, which the existing state machine shares (the construct refuses another).
    const executions = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':states:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':execution:legacy-restart:*',
        ],
      ],
    };
    for (const role of engineRoles) {
      const statements = policiesOfRole(role);
      const granted = (action: string) =>
        statements.filter((s) => actions(s).includes(action)).flatMap((s) => [s.Resource].flat());
      expect(granted('states:DescribeExecution')).toContainEqual(executions);
      expect(granted('states:GetExecutionHistory')).toContainEqual(executions);
      if (!role.startsWith('StatusHandler')) {
        expect(granted('states:StartExecution')).toContain(EXISTING_ARN);
        expect(granted('states:StopExecution')).toContainEqual(executions);
      }
    }
    const status = Object.values(resources).find(
      (r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.EventPattern).includes('aws.states'),
    )!;
    expect(
      (status.Properties.EventPattern as { detail: { stateMachineArn: unknown[] } }).detail.stateMachineArn,
    ).toContain(EXISTING_ARN);
    const api = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables.STATE_MACHINE_ARNS,
    )!;
    expect(JSON.stringify(api.Properties.Environment!.Variables.STATE_MACHINE_ARNS)).toContain(
      `\\"lockstep-restart-legacy-v2\\":\\"${EXISTING_ARN}\\"`,
    );
  });

  it('checks every version, the team’s included, at deploy', () => {
    const stages = Object.values(resources).filter((r) => r.Type === 'Custom::LockstepWorkflowVersions');
    expect(stages).toHaveLength(2);
    for (const stage of stages)
      expect(stage.Properties.Versions).toEqual(
        [...loadBuiltInWorkflows(), ...team].map(({ id, version, digest }) => ({ id, version, digest })),
      );
  });

  it('grants no wildcard action', () => {
    for (const r of Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy')) {
      for (const statement of (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of actions(statement)) expect(action, JSON.stringify(statement)).not.toMatch(/\*/);
      }
    }
  });

  it('adds to the stack of the built-in workflows without renaming or replacing any of its resources', () => {
    const builtInOnly = Template.fromStack(new LockstepStack(new App(), 'Lockstep')).toJSON().Resources as Record<
      string,
      Resource
    >;
    for (const [id, resource] of Object.entries(builtInOnly)) expect(resources[id]?.Type, id).toBe(resource.Type);
  });
});

describe('the Lockstep construct in a project’s own stack', () => {
  it('is cdk-nag clean under any construct id, with the team’s workflows', () => {
    const app = new App();
    const stack = new Stack(app, 'TeamStack');
    new Lockstep(stack, 'Remediation', { workflows: loadWorkflows(TEAM_WORKFLOWS), deletionProtection: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')).toMatchObject({
      conclusion: 'success',
      violations: [],
    });
  }, 120_000);

  it('refuses a workflow that reuses a built-in id, and one id and version given twice, naming the files', () => {
    const team = loadWorkflows(TEAM_WORKFLOWS);
    const noop = { ...loadBuiltInWorkflows().find((w) => w.id === 'noop')!, builtIn: false, folder: '/team/noop' };
    const attempt = (workflows: typeof team) => () => new Lockstep(new Stack(new App(), 'S'), 'L', { workflows });
    expect(attempt([...team, noop])).toThrow(WorkflowFolderError);
    expect(attempt([...team, noop])).toThrow(/\/team\/noop\/workflow\.json: id "noop" may not reuse a built-in id/);
    expect(attempt([...team, team[0]!])).toThrow(/drain-nodes@1\.2 is also declared by/);
  });

  it('refuses an existing state machine in another region or account than a stack with a known environment', () => {
    const team = loadWorkflows(TEAM_WORKFLOWS);
    const inOtherRegion = () =>
      new Lockstep(new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } }), 'L', {
        workflows: team,
      });
    expect(inOtherRegion).toThrow(
      /restart-legacy version 2: stateMachineArn is in region us-east-1, this stack in eu-west-1/,
    );
  });

  it('names the missing lock file when a step cannot be bundled from a project', async () => {
    const { bundlingRootOf } = await import('../../cdk/constructs/bundling.js');
    expect(() => bundlingRootOf('/step.ts')).toThrow(/no lock file .* in any folder above \/step\.ts/);
    expect(bundlingRootOf(join(TEAM_WORKFLOWS, 'drain-nodes/steps/notify.ts')).depsLockFilePath).toBe(
      fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
    );
  });
});
