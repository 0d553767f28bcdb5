// Roles on AWS (issue 20): the construct's grants, the open /health, the gateway's own answers, cdk-nag.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { Lockstep } from '../../cdk/lockstep.js';
import { ENVIRONMENT } from '../../lib/contract/environment.js';

const GRANTS = ['grantRead', 'grantRequest', 'grantOperate', 'grantAdmin'] as const;

/** What each role may call (API.md, "Roles"), written out rather than derived: the route table must produce exactly this. */
const READ = [
  '/identity',
  '/executions',
  '/executions/*',
  '/executions/*/events',
  '/executions/*/steps',
  '/targets',
  '/targets/*',
  '/workflows',
  '/workflows/*',
].flatMap((path) => [`GET ${path}`, `HEAD ${path}`]);
const REQUEST = [...READ, 'POST /executions'];
const OPERATE = [...REQUEST, 'POST /executions/*/cancel', 'POST /executions/*/approval', 'POST /targets/*/clearance'];
const EXPECTED: Record<(typeof GRANTS)[number], string[]> = {
  grantRead: READ,
  grantRequest: REQUEST,
  grantOperate: OPERATE,
  grantAdmin: OPERATE,
};

/** A stack with the construct and one role per grant, as a user would write it. */
function stackWithGrants(env?: { account: string; region: string }) {
  const app = new App();
  const stack = new Stack(app, 'S', env ? { env } : {});
  const lockstep = new Lockstep(stack, 'Lockstep', {
    intermediaries: ['arn:aws:sts::123456789012:assumed-role/chat-bot/*'],
  });
  const roles = Object.fromEntries(
    GRANTS.map((grant) => {
      const role = new Role(stack, grant, { assumedBy: new AccountRootPrincipal() });
      lockstep[grant](role);
      return [grant, role];
    }),
  ) as Record<(typeof GRANTS)[number], Role>;
  return { app, stack, lockstep, roles };
}

type Statement = { Action: string | string[]; Effect: string; Resource: unknown };

describe('the grants', () => {
  let built: ReturnType<typeof stackWithGrants>;
  let template: Template;
  beforeAll(() => {
    built = stackWithGrants();
    template = Template.fromStack(built.stack);
  });

  const statementsOf = (role: Role): Statement[] => {
    const roleId = built.stack.getLogicalId(role.node.defaultChild as never);
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  };

  it.each(GRANTS)("%s gives execute-api:Invoke on exactly its role's methods and paths of the API's stage", (grant) => {
    const statements = statementsOf(built.roles[grant]);
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
    const apiId = built.stack.getLogicalId(built.lockstep.api.api.node.defaultChild as never);
    const stageId = built.stack.getLogicalId(built.lockstep.api.api.deploymentStage.node.defaultChild as never);
    const granted = [statement!.Resource].flat().map((resource) => {
      const [, parts] = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      // arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path>
      expect(parts.slice(0, 9)).toEqual([
        'arn:',
        { Ref: 'AWS::Partition' },
        ':execute-api:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':',
        { Ref: apiId },
        '/',
      ]);
      expect(parts[9]).toEqual({ Ref: stageId });
      const [, method, ...path] = (parts[10] as string).split('/');
      expect(parts).toHaveLength(11);
      return `${method} /${path.join('/')}`;
    });
    expect(granted.sort()).toEqual([...EXPECTED[grant]].sort());
  });

  it('grants nothing on GET or HEAD /health (it needs no grant) and nothing beyond the role', () => {
    const all = GRANTS.flatMap((grant) => statementsOf(built.roles[grant]));
    expect(JSON.stringify(all)).not.toContain('/health');
    expect(JSON.stringify(statementsOf(built.roles.grantRead))).not.toContain('/POST/');
    expect(JSON.stringify(statementsOf(built.roles.grantRequest))).not.toContain('/cancel');
  });

  it('gives the intermediaries to the API function alone, as a JSON array', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.Environment?.Variables ?? {},
    );
    const withThem = functions.filter((variables) => ENVIRONMENT.intermediaries in variables);
    expect(withThem).toHaveLength(1);
    expect(withThem[0]![ENVIRONMENT.tableName]).toBeDefined();
    expect(withThem[0]![ENVIRONMENT.idempotencyTableName]).toBeDefined();
    expect(JSON.parse(built.stack.resolve(withThem[0]![ENVIRONMENT.intermediaries]))).toEqual([
      'arn:aws:sts::123456789012:assumed-role/chat-bot/*',
    ]);
  });

  it('writes no intermediaries without the prop', () => {
    const stack = new Stack(new App(), 'Plain');
    new Lockstep(stack, 'Lockstep');
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain(ENVIRONMENT.intermediaries);
  });
});

describe('what reaches the function without IAM', () => {
  let template: Template;
  beforeAll(() => {
    const stack = new Stack(new App(), 'S');
    new Lockstep(stack, 'Lockstep');
    template = Template.fromStack(stack);
  });

  it('only GET and HEAD /health; no ANY method on /health and no resource below it', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const open = methods.filter((m) => m.Properties.AuthorizationType !== 'AWS_IAM');
    expect(open.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'HEAD']);
    const health = template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: 'health' } });
    const healthId = Object.keys(health)[0]!;
    for (const method of open) expect(method.Properties.ResourceId).toEqual({ Ref: healthId });
    expect(
      methods.filter((m) => JSON.stringify(m.Properties.ResourceId) === JSON.stringify({ Ref: healthId })),
    ).toHaveLength(2);
    expect(
      Object.keys(template.findResources('AWS::ApiGateway::Resource', { Properties: { ParentId: { Ref: healthId } } })),
    ).toEqual([]);
    for (const method of methods.filter((m) => m.Properties.HttpMethod === 'ANY'))
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it("answers what the gateway refuses itself with the API's error body and code, never IAM's own words", () => {
    const byType: Record<string, { status?: string; body: string }> = Object.fromEntries(
      Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => [
        r.Properties.ResponseType,
        { status: r.Properties.StatusCode, body: r.Properties.ResponseTemplates['application/json'] as string },
      ]),
    );
    const expected: Record<string, [string | undefined, string]> = {
      ACCESS_DENIED: ['403', 'Forbidden'],
      MISSING_AUTHENTICATION_TOKEN: ['401', 'Unauthorized'],
      INVALID_SIGNATURE: ['401', 'Unauthorized'],
      EXPIRED_TOKEN: ['401', 'Unauthorized'],
      UNAUTHORIZED: ['401', 'Unauthorized'],
      BAD_REQUEST_BODY: ['400', 'ValidationError'],
      BAD_REQUEST_PARAMETERS: ['400', 'ValidationError'],
      REQUEST_TOO_LARGE: ['413', 'PayloadTooLarge'],
      UNSUPPORTED_MEDIA_TYPE: ['415', 'UnsupportedMediaType'],
      THROTTLED: ['429', 'Throttled'],
      DEFAULT_4XX: [undefined, 'RequestRefused'],
      DEFAULT_5XX: ['500', 'InternalError'],
    };
    for (const [type, [status, code]] of Object.entries(expected)) {
      expect(byType[type], type).toBeDefined();
      expect(byType[type]!.status, type).toBe(status);
      expect(byType[type]!.body, type).toContain(`{"error":{"code":"${code}","message":`);
    }
    for (const type of ['ACCESS_DENIED', 'MISSING_AUTHENTICATION_TOKEN', 'INVALID_SIGNATURE', 'DEFAULT_5XX'])
      expect(byType[type]!.body, type).not.toContain('messageString');
    expect(byType.ACCESS_DENIED!.body).toContain('grantRead, grantRequest, grantOperate or grantAdmin');
    // A response body as API Gateway renders it is JSON once its variables are filled in.
    for (const { body } of Object.values(byType))
      expect(() =>
        JSON.parse(body.replace(/\$context\.error\.messageString/g, '"x"').replace(/\$context\.\w+/g, 'x')),
      ).not.toThrow();
  });
});

describe('cdk-nag with grants, in a stack with a concrete environment and in an environment-agnostic one', () => {
  it.each([
    ['concrete (123456789012, eu-west-1)', { account: '123456789012', region: 'eu-west-1' }],
    ['environment-agnostic', undefined],
  ])('finds nothing unacknowledged: %s', (_label, env) => {
    const { app } = stackWithGrants(env);
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
    expect(report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')).toMatchObject({
      conclusion: 'success',
      violations: [],
    });
  });

  it("acknowledges a grant's wildcards on its grantee only: the same wildcard granted by hand is still a finding", () => {
    const { app, stack, lockstep } = stackWithGrants({ account: '123456789012', region: 'eu-west-1' });
    const careless = new Role(stack, 'Careless', { assumedBy: new AccountRootPrincipal() });
    careless.addToPolicy(
      new PolicyStatement({
        actions: ['execute-api:Invoke'],
        resources: [
          lockstep.api.api.arnForExecuteApi('GET', '/executions/*', lockstep.api.api.deploymentStage.stageName),
        ],
      }),
    );
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/S\/Careless\/DefaultPolicy[\s\S]*IAM5\[Resource::[^\]]*\/GET\/executions\/\*\]/);
  });
});
