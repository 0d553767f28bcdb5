import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { startLocalMode } from '../../../lib/local/local-mode.js';
import { loadWorkflows, WorkflowFolderError } from '../../../lib/workflows/load-workflows.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-workflows-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const PASS = {
  StartAt: 'Restart',
  States: { Restart: { Type: 'Pass', Result: { restarted: true }, Next: 'Verify' }, Verify: { Type: 'Succeed' } },
};

describe('local mode with the workflows of a folder (LOCKSTEP_WORKFLOWS_DIR)', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    const dir = folder({
      'restart/workflow.json': {
        id: 'restart-deployment',
        version: '1.2',
        description: 'Restarts a deployment',
        definition: 'definition.asl.json',
        targetPattern: '^[^/]+/deployment/[^/]+$',
        parameters: [{ name: 'REASON', description: 'why', enum: ['oom', 'latency'], default: 'oom' }],
      },
      'restart/definition.asl.json': PASS,
      'legacy/workflow.json': {
        id: 'legacy-runbook',
        version: '3',
        description: 'Runs an existing state machine',
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:legacy',
      },
      // A realistic remediation: scale up, check each replica (Map) and the service (Parallel), retry a flaky check, catch a failed one.
      'scale/workflow.json': {
        id: 'scale-deployment',
        version: '1',
        description: 'Scales a deployment up and checks it',
        definition: 'definition.asl.json',
        parameters: [
          { name: 'REPLICAS', description: 'how many', type: 'integer', minimum: 1, maximum: 10, default: '3' },
        ],
        steps: { Scale: { handler: 'steps/scale.ts' }, Check: { handler: 'steps/check.ts', timeoutSeconds: 10 } },
      },
      'scale/steps/scale.ts': `let calls = 0;
export async function handler(event: { parameters: { REPLICAS: string } }): Promise<{ replicas: string[] }> {
  calls++;
  if (calls === 1) throw Object.assign(new Error('the API server was busy'), { name: 'ThrottlingException' });
  return { replicas: Array.from({ length: Number(event.parameters.REPLICAS) }, (_, i) => "replica-" + i) };
}
`,
      'scale/steps/check.ts': `export async function handler(event: { replica?: string }): Promise<{ healthy: boolean }> {
  return { healthy: true };
}
`,
      'scale/definition.asl.json': {
        StartAt: 'Scale',
        States: {
          Scale: {
            Type: 'Task',
            Resource: '${Scale}',
            ResultPath: '$.scaled',
            Retry: [{ ErrorEquals: ['ThrottlingException'], IntervalSeconds: 0, MaxAttempts: 2 }],
            Next: 'Verify',
          },
          Verify: {
            Type: 'Parallel',
            Branches: [
              {
                StartAt: 'EachReplica',
                States: {
                  EachReplica: {
                    Type: 'Map',
                    ItemsPath: '$.scaled.replicas',
                    ItemProcessor: {
                      StartAt: 'CheckReplica',
                      States: {
                        CheckReplica: {
                          Type: 'Task',
                          Resource: '${Check}',
                          Parameters: { 'replica.$': '$' },
                          End: true,
                        },
                      },
                    },
                    End: true,
                  },
                },
              },
              {
                StartAt: 'CheckService',
                States: {
                  CheckService: {
                    Type: 'Task',
                    Resource: 'arn:aws:states:::lambda:invoke',
                    Parameters: { FunctionName: '${Check}', 'Payload.$': '$' },
                    ResultSelector: { 'healthy.$': '$.Payload.healthy' },
                    End: true,
                  },
                },
              },
            ],
            ResultPath: '$.checks',
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Unhealthy' }],
            Next: 'Healthy?',
          },
          'Healthy?': {
            Type: 'Choice',
            Choices: [{ Variable: '$.checks[1].healthy', BooleanEquals: true, Next: 'Done' }],
            Default: 'Unhealthy',
          },
          Unhealthy: { Type: 'Fail', Error: 'Unhealthy', Cause: 'a check failed' },
          Done: { Type: 'Succeed' },
        },
      },
      'forbidden/workflow.json': {
        id: 'rotate-credential',
        version: '1',
        description: 'Rotates a credential',
        definition: 'definition.asl.json',
        steps: { Rotate: { handler: 'rotate.mjs' } },
      },
      'forbidden/rotate.mjs':
        "export const handler = async () => { throw Object.assign(new Error('User is not authorized to perform iam:UpdateAccessKey'), { name: 'AccessDeniedException' }); };\n",
      'forbidden/definition.asl.json': {
        StartAt: 'Rotate',
        States: { Rotate: { Type: 'Task', Resource: '${Rotate}', End: true } },
      },
    });
    t = await startTestLocalMode({}, { workflowsDir: dir });
  });
  afterAll(() => t.local.stop());

  it('runs a user workflow beside the built-ins, recording the digest of the version it ran', async () => {
    const { body: catalog } = await t.call('GET', '/workflows/restart-deployment');
    const created = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'restart-deployment', parameters: { REASON: 'latency' } },
    });
    expect(created.status).toBe(201);
    await t.settle();
    const done = (await t.call('GET', `/executions/${created.body.id}`)).body;
    expect(done).toMatchObject({
      phase: 'Completed',
      workflowVersion: '1.2',
      workflowDigest: catalog.items[0].digest,
      parameters: { REASON: 'latency' },
    });
    expect((await t.call('GET', '/workflows')).body.items.map((w: { id: string }) => w.id)).toEqual(
      expect.arrayContaining(['noop', 'wait', 'restart-deployment', 'legacy-runbook']),
    );
  });

  it("checks the workflow's targetPattern and parameters before anything is written", async () => {
    const target = `${uniqueTarget().split('/')[0]}/statefulset/db`;
    const wrongTarget = await t.call('POST', '/executions', {
      body: { targetResource: target, workflowId: 'restart-deployment' },
    });
    expect(wrongTarget.status).toBe(400);
    expect(wrongTarget.body.error.details).toEqual([expect.stringMatching(/^body\.targetResource: must match/)]);
    const wrongValue = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'restart-deployment', parameters: { REASON: 'boredom' } },
    });
    expect(wrongValue.body.error.details).toEqual([
      'body.parameters.REASON: must be one of "oom", "latency", got "boredom"',
    ]);
    expect((await t.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`)).body.items).toEqual([]);
  });

  it('lists an existing state machine with no stand-in as not runnable locally, and refuses a request for it with 400, writing nothing', async () => {
    const { body } = await t.call('GET', '/workflows/legacy-runbook');
    expect(body.items).toEqual([
      expect.objectContaining({
        id: 'legacy-runbook',
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:legacy',
        runnableLocally: false,
      }),
    ]);
    const target = uniqueTarget();
    const refused = await t.call('POST', '/executions', {
      body: { targetResource: target, workflowId: 'legacy-runbook' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/cannot|no definition/);
    expect((await t.call('GET', `/targets/${encodeURIComponent(target)}`)).body.state).toBe('Idle');
  });

  it('runs TypeScript steps in process, in both Task forms, inside Parallel and Map, with Retry, Catch and Choice, to Completed', async () => {
    const created = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'scale-deployment', parameters: { REPLICAS: '2' } },
    });
    expect(created.status).toBe(201);
    await t.settle();
    const done = (await t.call('GET', `/executions/${created.body.id}`)).body;
    expect(done.phase, JSON.stringify(done.failureDetails)).toBe('Completed');
    const history = t.local.stepFunctions
      .getExecutionHistory({ executionArn: done.executionRef.arn, maxResults: 1000 })
      .events.map((e) => e.type);
    // The throttled first call of Scale, retried: `${Scale}` is a Lambda function ARN, whose attempts AWS records as LambdaFunction events.
    expect(history.filter((type) => type === 'LambdaFunctionFailed')).toHaveLength(1);
    expect(history).toEqual(expect.arrayContaining(['ParallelStateEntered', 'MapStateEntered', 'ChoiceStateEntered']));
  });

  it('ends a step that throws AccessDeniedException Failed/Forbidden, naming the step, and blocks the target', async () => {
    const target = uniqueTarget();
    const created = await t.call('POST', '/executions', {
      body: { targetResource: target, workflowId: 'rotate-credential' },
    });
    await t.settle();
    const failed = (await t.call('GET', `/executions/${created.body.id}`)).body;
    expect(failed).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'Forbidden', failedStep: 'Rotate', wasExecutionFailure: true },
    });
    expect((await t.call('GET', `/targets/${encodeURIComponent(target)}`)).body).toMatchObject({
      state: 'Blocked',
      blockReason: 'PreviousExecutionFailed',
    });
  });

  it('refuses to start with an invalid folder, listing every problem with its file', async () => {
    const dir = folder({
      'a/workflow.json': {
        id: 'noop',
        version: '1',
        description: 'reuses a built-in id',
        definition: 'definition.asl.json',
      },
      'a/definition.asl.json': PASS,
      'b/workflow.json': { id: 'b', version: '1', description: 'b', definition: 'definition.asl.json' },
      'b/definition.asl.json': { StartAt: 'Go', States: { Go: { Type: 'Pass', Next: 'Gone' } } },
    });
    const start = startLocalMode({
      port: 0,
      stepFunctionsPort: 0,
      eventBridgePort: 0,
      policy: DEFAULT_POLICY,
      sweepIntervalSeconds: 60,
      tableName: 'never-created',
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      workflowsDir: dir,
    });
    const error = await start.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFolderError);
    const { problems } = error as WorkflowFolderError;
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^b\/definition\.asl\.json: state "Go" has Next "Gone"/),
        expect.stringMatching(/^a\/workflow\.json: id "noop" may not reuse a built-in id/),
      ]),
    );
  });

  it('refuses to start with a definition valid on AWS that its interpreter cannot time, with exactly the lines lockstep workflows validate prints', async () => {
    const dir = folder({
      'slow/workflow.json': {
        id: 'slow-retry',
        version: '1',
        description: 'retries after days',
        definition: 'definition.asl.json',
      },
      'slow/definition.asl.json': {
        StartAt: 'Go',
        States: {
          Go: {
            Type: 'Parallel',
            Branches: [PASS],
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 99_999_999, MaxAttempts: 1 }],
            End: true,
          },
        },
      },
    });
    const start = startLocalMode({
      port: 0,
      stepFunctionsPort: 0,
      eventBridgePort: 0,
      policy: DEFAULT_POLICY,
      sweepIntervalSeconds: 60,
      tableName: `lockstep-test-${randomUUID()}`,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      workflowsDir: dir,
    });
    const error = await start.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFolderError);
    // What `lockstep workflows validate` (and the CDK app) read the folder with.
    const validated = (() => {
      try {
        loadWorkflows(dir);
        return [];
      } catch (e) {
        return (e as WorkflowFolderError).problems;
      }
    })();
    expect(validated).toEqual([
      expect.stringMatching(
        /^slow\/definition\.asl\.json: state "Go", Retry #1: .* set MaxDelaySeconds to at most \d+$/,
      ),
    ]);
    expect((error as WorkflowFolderError).problems).toEqual(validated);
  });
});
