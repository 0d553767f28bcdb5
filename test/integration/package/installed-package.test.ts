import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsupportedNode } from '../../../lib/cli/node-version.js';
import { ENVIRONMENT } from '../../../lib/contract/environment.js';
import { ROUTES, type Role, roleAllows } from '../../../lib/contract/routes.js';
import { freePort } from '../../../lib/local/http-listen.js';
import { until } from '../../support/wait.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** The team's workflows: Parallel, Map, Retry, Catch, Choice, TypeScript and JavaScript steps, an existing state machine with a stand-in. */
const TEAM_WORKFLOWS = join(root, 'test/support/fixtures/workflows');
const EXISTING_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:legacy-restart';
/** What the project installs beside the tarball: the versions this repository is tested with (so npm finds them in its cache). */
const peer = (name: string) =>
  `${name}@${(JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`;
const TOKEN = 'package-token';
// The project runs on the Node.js 22 this suite runs on, first on PATH as for a user who has it.
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

/** A child's exit status and output, awaited without blocking the event loop (as spawnSync would the tests beside it). */
async function finished(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

/** A new team's project outside this repository, with only the packed tarball installed. */
describe('Lockstep as a package another project installs', () => {
  const project = mkdtempSync(join(tmpdir(), 'lockstep-user-'));
  const lockstep = join(project, 'node_modules', '.bin', 'lockstep');

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a CloudFormation template, read as the loose JSON it is
  type Resource = { Type: string; Properties: Record<string, any> };
  /** Synthesizes the project's `app` with the installed CDK CLI, asserts cdk-nag found nothing, and returns the stack's resources. */
  async function synthesized(app: string, output: string, stackName: string): Promise<[string, Resource][]> {
    const synth = await finished(
      join(project, 'node_modules', '.bin', 'cdk'),
      ['synth', '--app', `node ${app}`, '--no-notices', '--quiet', '--output', output],
      { cwd: project, env },
    );
    expect(synth.status, `${synth.stdout}\n${synth.stderr}`).toBe(0);
    const report = JSON.parse(readFileSync(join(project, output, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')).toMatchObject({
      conclusion: 'success',
      violations: [],
    });
    const template = JSON.parse(readFileSync(join(project, output, `${stackName}.template.json`), 'utf8')) as {
      Resources: Record<string, Resource>;
    };
    return Object.entries(template.Resources);
  }

  beforeAll(() => {
    const packed = mkdtempSync(join(tmpdir(), 'lockstep-pack-'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', packed], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = join(packed, readdirSync(packed).find((name) => name.endsWith('.tgz'))!);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'team-remediation', private: true, type: 'module' }),
    );
    // Only Lockstep, its CDK peers and the CDK CLI; cdk-nag because this team checks its stacks with it.
    execFileSync(
      'npm',
      ['install', tarball, peer('aws-cdk-lib'), peer('constructs'), peer('aws-cdk'), peer('cdk-nag')],
      { cwd: project, env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    cpSync(TEAM_WORKFLOWS, join(project, 'team-workflows'), { recursive: true });
  }, 600_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('installs a lockstep command whose help lists its commands, and refuses an unknown one with exit 1 on standard error', () => {
    const help = spawnSync(lockstep, ['--help'], { cwd: project, env, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/local/);
    const wrong = spawnSync(lockstep, ['nonsense'], { cwd: project, env, encoding: 'utf8' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/unknown command/);
    expect(wrong.stdout).toBe('');
  });

  // The machine's own Node.js, when it is older than the package's floor (Debian's is 20 here): the command must refuse it itself.
  const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find(
    (path) =>
      existsSync(path) && unsupportedNode(execFileSync(path, ['--version'], { encoding: 'utf8' }).trim(), '>=22.12'),
  );
  it.skipIf(!olderNode)(
    'on a Node.js older than 22.12 (the machine has none: skipped), exits 1 before doing anything, naming the version and how to get 22',
    () => {
      const refused = spawnSync(olderNode!, [lockstep, 'workflows', 'validate', 'team-workflows'], {
        cwd: project,
        env,
        encoding: 'utf8',
      });
      expect(refused.status).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(
        /^error: lockstep needs Node\.js 22\.12 or later, and this is v\d+\.\d+\.\d+\. .*`npm install --save-dev node@22`/,
      );
    },
  );

  it('validates a workflows folder offline: exit 0 and one line per workflow, or exit 1 and one line per problem naming the file', () => {
    const write = (path: string, content: unknown) => {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), typeof content === 'string' ? content : JSON.stringify(content));
    };
    write('workflows/restart/workflow.json', {
      id: 'restart-deployment',
      version: '1',
      description: 'Restarts a deployment',
      definition: 'definition.asl.json',
    });
    write('workflows/restart/definition.asl.json', { StartAt: 'Go', States: { Go: { Type: 'Pass', End: true } } });
    write('broken/scale/workflow.json', {
      id: 'scale',
      version: '1',
      description: 'Scales',
      definition: 'definition.asl.json',
      QueryLanguage: 'JSONata',
    });
    write('broken/scale/definition.asl.json', { StartAt: 'Go', States: { Go: { Type: 'Pass', Next: 'Nowhere' } } });

    const valid = spawnSync(lockstep, ['workflows', 'validate', 'workflows'], { cwd: project, env, encoding: 'utf8' });
    expect(valid.status, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^restart-deployment@1 {2}sha256:[0-9a-f]{64} {2}Restarts a deployment\n$/);

    const invalid = spawnSync(lockstep, ['workflows', 'validate', 'broken'], { cwd: project, env, encoding: 'utf8' });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^scale\/workflow\.json: .*QueryLanguage/),
      'scale/definition.asl.json: state "Go" has Next "Nowhere", which does not exist',
    ]);
  });

  it("validates the team's own folder: one line per workflow", () => {
    const valid = spawnSync(lockstep, ['workflows', 'validate', 'team-workflows'], {
      cwd: project,
      env,
      encoding: 'utf8',
    });
    expect(valid.status, valid.stderr).toBe(0);
    expect(
      valid.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('  ')[0]),
    ).toEqual(['drain-nodes@1.2', 'restart-legacy@2', 'scale-deployment@1']);
  });

  // The local mode run and the CDK synthesis touch nothing of each other (the synthesis writes app.mjs and cdk.out,
  // local mode keeps its data in DynamoDB Local's memory) and each mostly waits on its own processes: side by side.
  it.concurrent("runs local mode from the installed package (DynamoDB Local included) with the team's workflows, each to Completed through the HTTP API, stopped by SIGTERM", async () => {
    const admin = await fakeAdminApi({ 'shop/deployment/checkout': 2 });
    const port = await freePort();
    const child = spawn(lockstep, ['local', '--workflows', 'team-workflows'], {
      cwd: project,
      env: {
        ...env,
        PORT: String(port),
        LOCKSTEP_TOKEN: TOKEN,
        LOCKSTEP_STEPFUNCTIONS_PORT: '0',
        LOCKSTEP_EVENTBRIDGE_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => (/Token: +\S+/.test(output) ? true : undefined), 90_000, `the endpoint lines\n${output}`);
      const api = `http://127.0.0.1:${port}`;
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const run = async (request: Record<string, unknown>) => {
        const created = await fetch(`${api}/executions`, { method: 'POST', headers, body: JSON.stringify(request) });
        expect(created.status, `${JSON.stringify(request)}: ${await created.clone().text()}\n${output}`).toBe(201);
        const { id } = (await created.json()) as { id: string };
        return until(
          async () => {
            const execution = (await (await fetch(`${api}/executions/${id}`, { headers })).json()) as { phase: string };
            return ['Completed', 'Failed'].includes(execution.phase) ? execution : undefined;
          },
          30_000,
          `the end of ${JSON.stringify(request)}`,
        );
      };
      expect(await run({ targetResource: 'team/deployment/app', workflowId: 'noop' })).toMatchObject({
        phase: 'Completed',
      });
      const scaled = await run({
        targetResource: 'shop/deployment/checkout',
        workflowId: 'scale-deployment',
        parameters: { ADMIN_URL: admin.url, REPLICAS: '5', HOLD_SECONDS: '1' },
      });
      expect(scaled).toMatchObject({
        phase: 'Completed',
        workflowVersion: '1',
        workflowDigest: expect.stringMatching(/^sha256:/),
      });
      expect(admin.calls).toEqual([
        'GET shop/deployment/checkout',
        'PUT shop/deployment/checkout 5',
        'PUT shop/deployment/checkout 2',
      ]);
      expect(
        await run({
          targetResource: 'pool/node-group/blue',
          workflowId: 'drain-nodes',
          parameters: { NODES: 'n1,n2,n3' },
        }),
      ).toMatchObject({ phase: 'Completed' });
      expect(await run({ targetResource: 'legacy/service/billing', workflowId: 'restart-legacy' })).toMatchObject({
        phase: 'Completed',
      });
    } finally {
      child.kill('SIGTERM');
      admin.server.close();
    }
    expect(await exited).toBe(0);
    expect(output).toContain('lockstep: stopped');
  }, 180_000);

  it.concurrent("synthesizes the team's CDK app with Lockstep and loadWorkflows: a state machine per version, a function per step with exactly its invoke rights, the existing state machine by ARN, no wildcard actions, cdk-nag clean", async () => {
    writeFileSync(
      join(project, 'app.mjs'),
      [
        "import { App, Stack, Validations } from 'aws-cdk-lib';",
        "import { AwsSolutionsChecks } from 'cdk-nag';",
        "import { Lockstep, loadWorkflows } from 'lockstep/cdk';",
        'const app = new App();',
        "const stack = new Stack(app, 'TeamRemediation');",
        "new Lockstep(stack, 'Lockstep', { workflows: loadWorkflows('team-workflows'), alarmEmail: 'oncall@example.com' });",
        'Validations.of(app).addPlugins(new AwsSolutionsChecks(app));',
      ].join('\n'),
    );
    const resources = await synthesized('app.mjs', 'cdk.out', 'TeamRemediation');
    const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
    const statements = (roleId: string) =>
      ofType('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(
          ([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
        );
    const stateMachines = ofType('AWS::StepFunctions::StateMachine');
    expect(stateMachines.map(([, sm]) => sm.Properties.StateMachineName).sort()).toEqual(
      ['drain-nodes-v1_2', 'fail-v1', 'noop-v1', 'restart-ecs-service-v1', 'scale-deployment-v1', 'wait-v1'].map(
        (n) => `lockstep-${n}`,
      ),
    );
    const steps = ofType('AWS::Lambda::Function').filter(([, fn]) =>
      String(fn.Properties.Description).startsWith('Lockstep step '),
    );
    expect(steps).toHaveLength(5);
    for (const [, fn] of steps)
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    // Each bundle was built from the team's project, by the esbuild the package brought.
    for (const [, fn] of steps)
      expect(
        existsSync(join(project, 'cdk.out', `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs')),
      ).toBe(true);
    for (const [, sm] of stateMachines) {
      const definition = JSON.stringify(sm.Properties.DefinitionString);
      expect(definition).not.toMatch(/\$\{[A-Za-z]/);
      const referenced = [...definition.matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g)].map((m) => m[1]!).sort();
      const invoke = statements(sm.Properties.RoleArn['Fn::GetAtt'][0]).filter((s) =>
        [s.Action].flat().includes('lambda:InvokeFunction'),
      );
      const granted = invoke
        .flatMap((s) => [s.Resource].flat().map((r) => (r as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]))
        .sort();
      expect(granted).toEqual([...new Set(referenced)]);
    }
    expect(
      stateMachines.filter(([, sm]) => JSON.stringify(sm.Properties.DefinitionString).includes('Fn::GetAtt')).length,
    ).toBe(2);
    const engineRoles = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.STATE_MACHINE_ARNS)
      .map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0] as string);
    // re2js is not in the engine's bundles but beside them, built from the package's own copy: a require from the function's folder finds it.
    const engineAssets = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.STATE_MACHINE_ARNS)
      .map(([, fn]) => join(project, 'cdk.out', `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`));
    expect(engineAssets).toHaveLength(4);
    for (const asset of engineAssets) {
      expect(readFileSync(join(asset, 'index.mjs'), 'utf8')).not.toContain('invalid nested repetition operator');
      // (The project's own node_modules, above cdk.out, has re2js too: the one found must be the asset's.)
      const script =
        "process.stdout.write(JSON.stringify([require.resolve('re2js'), require('re2js').RE2JS.compile('^(a|aa)+$').test('a'.repeat(16383) + '!')]))";
      const [resolved, matched] = JSON.parse(
        execFileSync(process.execPath, ['-e', script], { cwd: asset, encoding: 'utf8' }),
      ) as [string, boolean];
      expect(resolved).toBe(join(asset, 'node_modules', 're2js', 'index.js'));
      expect(matched).toBe(false);
    }
    const startable = engineRoles.flatMap((role) =>
      statements(role)
        .filter((s) => [s.Action].flat().includes('states:StartExecution'))
        .flatMap((s) => [s.Resource].flat()),
    );
    expect(startable).toContain(EXISTING_ARN);
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
        expect([statement.Action].flat().filter((a) => a.includes('*'))).toEqual([]);
    }
  }, 300_000);

  // After the two above (not concurrent with them): one more local mode and one more synthesis would only crowd them.
  it("runs local mode with a tokens file: whoami names each token and its role, a requester's request awaits approval, only an operator other than the requester approves it, and it runs to Completed", async () => {
    const write = (path: string, content: unknown) => {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), JSON.stringify(content));
    };
    write('approval-workflows/restart/workflow.json', {
      id: 'restart-deployment',
      version: '1',
      description: 'Restarts a deployment',
      definition: 'definition.asl.json',
      policy: { approval: { required: 'always', timeoutSeconds: 900, approvals: 1 } },
    });
    write('approval-workflows/restart/definition.asl.json', {
      StartAt: 'Restart',
      States: { Restart: { Type: 'Pass', End: true } },
    });
    const tokens = {
      ci: 'ci-token-0123456789abcdef01234567',
      alice: 'alice-token-0123456789abcdef012345',
    };
    write('tokens.json', [
      { name: 'ci', token: tokens.ci, role: 'requester' },
      { name: 'alice', token: tokens.alice, role: 'operator' },
    ]);
    const port = await freePort();
    const child = spawn(lockstep, ['local', '--workflows', 'approval-workflows'], {
      cwd: project,
      env: {
        ...env,
        PORT: String(port),
        LOCKSTEP_TOKEN: TOKEN,
        [ENVIRONMENT.tokensFile]: 'tokens.json',
        LOCKSTEP_STEPFUNCTIONS_PORT: '0',
        LOCKSTEP_EVENTBRIDGE_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const command = (token: string, ...args: string[]) =>
      finished(lockstep, [...args, '--api', `http://127.0.0.1:${port}`, '--token', token], { cwd: project, env });
    try {
      await until(() => (/Token: +\S+/.test(output) ? true : undefined), 90_000, `the endpoint lines\n${output}`);

      const whoami = await command(tokens.ci, 'whoami', '-o', 'json');
      expect(whoami.status, whoami.stderr).toBe(0);
      expect(JSON.parse(whoami.stdout)).toEqual({ identity: 'token:ci', role: 'requester', intermediary: false });
      const table = await command(tokens.alice, 'whoami');
      expect(table.stdout).toMatch(/token:alice/);
      expect(table.stdout).toMatch(/operator/);

      const run = await command(tokens.ci, 'run', 'restart-deployment', 'payments/deployment/api', '-o', 'json');
      expect(run.status, run.stderr).toBe(0);
      const requested = JSON.parse(run.stdout) as { id: string; phase: string; requestedBy: string };
      expect(requested).toMatchObject({ phase: 'AwaitingApproval', requestedBy: 'token:ci' });

      const byRequester = await command(tokens.ci, 'approve', requested.id);
      expect(byRequester.status).toBe(1);
      expect(byRequester.stdout).toBe('');
      expect(byRequester.stderr).toMatch(/Forbidden.*operator/);

      const approved = await command(tokens.alice, 'approve', requested.id, '--comment', 'checked', '-o', 'json');
      expect(approved.status, approved.stderr).toBe(0);
      expect(JSON.parse(approved.stdout)).toMatchObject({
        id: requested.id,
        phase: expect.stringMatching(/^(Pending|Running|Completed)$/),
        approval: { approvalsNeeded: 1, decisions: [{ by: 'token:alice', decision: 'approve', comment: 'checked' }] },
      });
      const waited = await command(tokens.alice, 'wait', requested.id, '-o', 'json');
      expect(waited.status, waited.stderr).toBe(0);
      expect(JSON.parse(waited.stdout)).toMatchObject({ phase: 'Completed', requestedBy: 'token:ci' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);

  it("synthesizes a team's app with notifications, intermediaries and grants: each grantee gets only its role's methods, a rule per notification to the team's topic, cdk-nag clean", async () => {
    writeFileSync(
      join(project, 'access-app.mjs'),
      [
        "import { App, Stack, Validations } from 'aws-cdk-lib';",
        "import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';",
        "import { Key } from 'aws-cdk-lib/aws-kms';",
        "import { Topic } from 'aws-cdk-lib/aws-sns';",
        "import { AwsSolutionsChecks } from 'cdk-nag';",
        "import { Lockstep } from 'lockstep/cdk';",
        'const app = new App();',
        "const stack = new Stack(app, 'TeamAccess');",
        "const topic = new Topic(stack, 'OnCallTopic', { enforceSSL: true, masterKey: new Key(stack, 'OnCallKey', { enableKeyRotation: true }) });",
        "const lockstep = new Lockstep(stack, 'Lockstep', {",
        '  notifications: { topic },',
        "  intermediaries: ['arn:aws:sts::123456789012:assumed-role/chat-bot/*'],",
        '});',
        "lockstep.grantRead(new Role(stack, 'Dashboards', { assumedBy: new AccountRootPrincipal() }));",
        "lockstep.grantOperate(new Role(stack, 'OnCall', { assumedBy: new AccountRootPrincipal() }));",
        'Validations.of(app).addPlugins(new AwsSolutionsChecks(app));',
      ].join('\n'),
    );
    const resources = await synthesized('access-app.mjs', 'cdk.out.access', 'TeamAccess');
    const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
    const roleId = (prefix: string) => ofType('AWS::IAM::Role').find(([id]) => id.startsWith(prefix))![0];
    /** What a grantee may invoke: `METHOD /path` of each execute-api resource (the text after the stage). */
    const invocable = (prefix: string) => {
      const statements = ofType('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId(prefix) }]))
        .flatMap(
          ([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
        );
      expect(statements.flatMap((s) => [s.Action].flat())).toEqual(statements.map(() => 'execute-api:Invoke'));
      return statements
        .flatMap((s) => [s.Resource].flat())
        .map((resource) => {
          const [, method, path] = /\/(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|\*)(\/[^"]*)?"\]\]\}$/.exec(
            JSON.stringify(resource),
          ) ?? [undefined, JSON.stringify(resource), ''];
          return `${method} ${path ?? ''}`;
        });
    };
    /** A role's routes as IAM names them: each path parameter `*`, and HEAD beside every GET. */
    const routesOf = (role: Role) =>
      Object.values(ROUTES)
        .filter((route) => route.role !== 'none' && roleAllows(role, route.role))
        .flatMap((route) => {
          const path = route.path.replace(/\{[^}]+\}/g, '*');
          return route.method === 'GET' ? [`GET ${path}`, `HEAD ${path}`] : [`${route.method} ${path}`];
        })
        .sort();
    expect(invocable('Dashboards').sort()).toEqual(routesOf('reader'));
    expect(invocable('OnCall').sort()).toEqual(routesOf('operator'));
    expect(routesOf('operator')).toEqual(
      expect.arrayContaining(['POST /executions', 'POST /executions/*/cancel', 'POST /executions/*/approval']),
    );

    const api = ofType('AWS::Lambda::Function').find(
      ([, fn]) => fn.Properties.Environment?.Variables?.[ENVIRONMENT.intermediaries],
    );
    expect(JSON.parse(api![1].Properties.Environment.Variables[ENVIRONMENT.intermediaries])).toEqual([
      'arn:aws:sts::123456789012:assumed-role/chat-bot/*',
    ]);

    const topicId = ofType('AWS::SNS::Topic').find(([id]) => id.startsWith('OnCallTopic'))![0];
    const notified = ofType('AWS::Events::Rule')
      .filter(([, rule]) => JSON.stringify(rule.Properties.Targets).includes(`"Ref":"${topicId}"`))
      .map(([, rule]) => rule.Properties.EventPattern['detail-type'][0] as string);
    expect(notified.sort()).toEqual([
      'Target Blocked',
      'Workflow Tripped',
      'WorkflowExecution AwaitingApproval',
      'WorkflowExecution AwaitingApproval',
    ]);
    const topicPolicy = ofType('AWS::SNS::TopicPolicy').find(
      ([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topicId }]),
    )!;
    expect(JSON.stringify(topicPolicy[1].Properties.PolicyDocument)).toContain('"Service":"events.amazonaws.com"');
  }, 300_000);
});

/** The team's deployment admin API, as the scale-deployment steps call it: GET and PUT a deployment's replicas. */
async function fakeAdminApi(
  replicas: Record<string, number>,
): Promise<{ url: string; calls: string[]; server: Server }> {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    const deployment = decodeURIComponent((request.url ?? '').replace(/^\/deployments\//, ''));
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (!(deployment in replicas)) return response.writeHead(404).end();
      if (request.method === 'PUT') replicas[deployment] = (JSON.parse(body) as { replicas: number }).replicas;
      calls.push(`${request.method} ${deployment}${request.method === 'PUT' ? ` ${replicas[deployment]}` : ''}`);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ replicas: replicas[deployment] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, calls, server };
}
