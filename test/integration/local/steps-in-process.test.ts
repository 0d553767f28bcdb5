import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../lib/domain/failure-classification.js';
import { FailureReason } from '../../../lib/domain/reasons.js';
import type { AslDefinition, WorkflowStep, WorkflowVersion } from '../../../lib/domain/workflow-version.js';
import { LocalStepFunctions } from '../../../lib/local/stepfunctions/local-step-functions.js';
import {
  LAMBDA_INVOKE,
  type LocalSteps,
  localStepArn,
  localSteps,
  StepLoadError,
} from '../../../lib/local/stepfunctions/local-steps.js';
import { stepFunctionName } from '../../../lib/workflows/catalog.js';
import { ManualClock } from '../../support/manual-clock.js';
import { until } from '../../support/wait.js';

/** A TypeScript step (type annotations) and a JavaScript one; the JavaScript one fails the first call per key (module state). */
const STEP_FILES: Record<string, string> = {
  'restart.ts': `
interface RestartEvent { target: string; fail?: string }
interface Context { functionName: string; getRemainingTimeInMillis(): number }
export async function handler(event: RestartEvent, context: Context): Promise<{ restarted: string; by: string; remainingMs: number }> {
  if (event.fail) throw Object.assign(new Error(\`not allowed to restart \${event.target}\`), { name: event.fail });
  return { restarted: event.target, by: context.functionName, remainingMs: context.getRemainingTimeInMillis() };
}
`,
  'flaky.mjs': `
const seen = new Set();
export const handler = async (event) => {
  if (!seen.has(event.key)) {
    seen.add(event.key);
    throw Object.assign(new Error('fails the first time'), { name: 'Flaky' });
  }
  return { key: event.key, attempt: 2 };
};
`,
  'slow.mjs': `export const handler = () => new Promise((resolve) => setTimeout(() => resolve('late'), 3000));`,
  'no-handler.mjs': `export const handle = () => 'misspelt';`,
  'syntax.ts': `export const handler = (event: ) => {`,
  'syntax.mjs': `export const handler = () => {`,
};

const dir = mkdtempSync(join(tmpdir(), 'lockstep-steps-'));
beforeAll(() => {
  for (const [file, source] of Object.entries(STEP_FILES)) writeFileSync(join(dir, file), source);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const step = (name: string, file: string, extra: Partial<WorkflowStep> = {}): WorkflowStep => ({
  name,
  handler: join(dir, file),
  ...extra,
});

function workflow(definition: unknown, steps: WorkflowStep[], id = 'restart-service'): WorkflowVersion {
  return {
    id,
    version: '1.2',
    description: 'test',
    digest: `sha256:${'0'.repeat(64)}`,
    parameters: [],
    definition: definition as AslDefinition,
    steps,
    folder: dir,
    builtIn: false,
  };
}

const STEPS = [step('Restart', 'restart.ts'), step('Flaky', 'flaky.mjs')];

const emulators: LocalStepFunctions[] = [];
afterEach(() => {
  for (const sfn of emulators.splice(0)) sfn.shutdown();
});

/** Runs `definition` (placeholders resolved by localSteps) to its end; returns its description and history. */
async function run(definition: unknown, input: unknown, steps = STEPS) {
  const wf = workflow(definition, steps);
  const local: LocalSteps = await localSteps([wf]);
  const sfn = new LocalStepFunctions({ clock: new ManualClock(), taskHandlers: local.taskHandlers });
  emulators.push(sfn);
  const { stateMachineArn } = sfn.createStateMachine({
    name: `sm-${Math.random().toString(36).slice(2, 10)}`,
    definition: local.definitionFor(wf),
  });
  const { executionArn } = sfn.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  await until(
    () => (sfn.describeExecution(executionArn).status === 'RUNNING' ? undefined : true),
    15_000,
    'the execution to end',
    10,
  );
  const described = sfn.describeExecution(executionArn);
  const history = sfn.getExecutionHistory({ executionArn }).events;
  return { ...described, result: described.output === undefined ? undefined : JSON.parse(described.output), history };
}

const task = (resource: string, more: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: resource,
  End: true,
  ...more,
});
const invokeTask = (fn: string, more: Record<string, unknown> = {}) =>
  task(LAMBDA_INVOKE, { Parameters: { FunctionName: fn, 'Payload.$': '$' }, ...more });

describe('step handlers run in process in local mode', () => {
  it('a direct-ARN Task gives the TypeScript handler its effective input and returns its result', async () => {
    const out = await run(
      { StartAt: 'Restart', States: { Restart: task('${Restart}', { Parameters: { 'target.$': '$.service' } }) } },
      { service: 'api' },
    );

    expect(out.status).toBe('SUCCEEDED');
    expect(out.result).toMatchObject({ restarted: 'api', by: 'lockstep-restart-service-v1_2-Restart' });
    expect(out.result.remainingMs).toBeGreaterThan(59_000);
    expect(out.result.remainingMs).toBeLessThanOrEqual(60_000);
  });

  it('lambda:invoke hands the step its Payload and returns the integration shape', async () => {
    const out = await run({ StartAt: 'Restart', States: { Restart: invokeTask('${Restart}') } }, { target: 'api' });

    expect(out.status).toBe('SUCCEEDED');
    expect(out.result).toMatchObject({
      ExecutedVersion: '$LATEST',
      StatusCode: 200,
      Payload: { restarted: 'api' },
      SdkHttpMetadata: { HttpStatusCode: 200 },
    });
    expect(out.result.SdkResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lambda:invoke also finds a step by its bare function name', async () => {
    const out = await run(
      {
        StartAt: 'Restart',
        States: {
          Restart: invokeTask(stepFunctionName({ id: 'restart-service', version: '1.2' }, 'Restart'), {
            OutputPath: '$.Payload',
          }),
        },
      },
      { target: 'db' },
    );

    expect(out.result).toMatchObject({ restarted: 'db' });
  });

  it('lambda:invoke dispatches on FunctionName.$ too, as it dispatches at run time', async () => {
    const definition = {
      StartAt: 'Restart',
      States: {
        Restart: task(LAMBDA_INVOKE, {
          Parameters: { 'FunctionName.$': '$.fn', 'Payload.$': '$' },
          OutputPath: '$.Payload',
        }),
      },
    };
    const out = await run(definition, {
      fn: localStepArn({ id: 'restart-service', version: '1.2' }, 'Restart'),
      target: 'cache',
    });

    expect(out.result).toMatchObject({ restarted: 'cache' });
  });

  it('lambda:invoke of a function that is no step fails with the service error Lambda.ResourceNotFoundException', async () => {
    const out = await run({ StartAt: 'Restart', States: { Restart: invokeTask('not-a-step') } }, {});

    expect(out).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
  });

  it('runs a step in each branch of a Parallel', async () => {
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'Direct', States: { Direct: task('${Restart}') } },
            { StartAt: 'Invoked', States: { Invoked: invokeTask('${Restart}', { OutputPath: '$.Payload' }) } },
          ],
        },
      },
    };
    const out = await run(definition, { target: 'api' });

    expect(out.status).toBe('SUCCEEDED');
    expect(out.result).toMatchObject([{ restarted: 'api' }, { restarted: 'api' }]);
  });

  it('runs a step per item in a Map item processor', async () => {
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.targets',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'One',
            States: { One: task('${Restart}', { Parameters: { 'target.$': '$' } }) },
          },
          End: true,
        },
      },
    };
    const out = await run(definition, { targets: ['a', 'b', 'c'] });

    expect(out.status).toBe('SUCCEEDED');
    expect(out.result.map((r: { restarted: string }) => r.restarted)).toEqual(['a', 'b', 'c']);
  });

  it('retries a step that fails with a matching error name, then succeeds', async () => {
    const definition = {
      StartAt: 'Flaky',
      States: { Flaky: task('${Flaky}', { Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }] }) },
    };
    const out = await run(definition, { key: `retry-${Math.random()}` });

    expect(out.status).toBe('SUCCEEDED');
    expect(out.result).toMatchObject({ attempt: 2 });
    // A Lambda function ARN as the resource: Step Functions records LambdaFunction events, one Scheduled per attempt.
    expect(out.history.filter((e) => e.type === 'LambdaFunctionFailed')).toMatchObject([
      { lambdaFunctionFailedEventDetails: { error: 'Flaky', cause: 'fails the first time' } },
    ]);
    expect(out.history.filter((e) => e.type === 'LambdaFunctionScheduled')).toHaveLength(2);
  });

  it('records the history Step Functions writes for a Map: its start, each iteration’s start and end, each Task attempt, linked within its iteration', async () => {
    const key = `map-${Math.random()}`;
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.keys',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'One',
            States: {
              One: invokeTask('${Flaky}', {
                Parameters: { FunctionName: '${Flaky}', 'Payload.$': '$' },
                Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
              }),
            },
          },
          End: true,
        },
      },
    };
    const out = await run(definition, { keys: [{ key: `${key}-0` }, { key: `${key}-1` }] });

    expect(out.status).toBe('SUCCEEDED');
    const byId = new Map(out.history.map((e) => [e.id, e]));
    const lineOf = (id: number) => {
      const types: string[] = [];
      for (let e = byId.get(id); e; e = byId.get(e.previousEventId)) types.unshift(e.type);
      return types;
    };
    const ends = out.history.filter((e) => e.type === 'MapIterationSucceeded');
    expect(ends.map((e) => e.mapIterationSucceededEventDetails)).toEqual(
      expect.arrayContaining([
        { name: 'Each', index: 0 },
        { name: 'Each', index: 1 },
      ]),
    );
    // Each iteration is its own line back to the Map's start, with the failed attempt and the retry in it.
    for (const end of ends) {
      expect(lineOf(end.id)).toEqual([
        'ExecutionStarted',
        'MapStateEntered',
        'MapStateStarted',
        'MapIterationStarted',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskFailed',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateExited',
        'MapIterationSucceeded',
      ]);
    }
    const last = out.history.at(-1)!;
    expect(last.type).toBe('ExecutionSucceeded');
    expect(lineOf(last.id).slice(-3)).toEqual(['MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
  });

  it('keeps $$.State and $$ read whole as they were in the state that read them', async () => {
    const definition = {
      StartAt: 'Keep',
      States: {
        Keep: {
          Type: 'Pass',
          Parameters: { 'state.$': '$$.State', 'context.$': '$$' },
          ResultPath: '$.kept',
          Next: 'Later',
        },
        Later: { Type: 'Pass', Parameters: { 'kept.$': '$.kept', 'now.$': '$$.State.Name' }, End: true },
      },
    };
    const out = await run(definition, {});

    expect(out.status).toBe('SUCCEEDED');
    expect(out.result).toMatchObject({
      now: 'Later',
      kept: {
        state: { Name: 'Keep', RetryCount: 0 },
        context: { State: { Name: 'Keep' }, StateMachine: { Id: expect.stringContaining(':stateMachine:') } },
      },
    });
  });

  it('a lambda:invoke function error keeps its name, so Catch routes it to the catcher', async () => {
    const definition = {
      StartAt: 'Restart',
      States: {
        Restart: invokeTask('${Restart}', {
          End: undefined,
          Next: 'Done',
          Catch: [{ ErrorEquals: ['AccessDeniedException'], ResultPath: '$.error', Next: 'Denied' }],
        }),
        Denied: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    };
    const out = await run(definition, { target: 'api', fail: 'AccessDeniedException' });

    expect(out.status).toBe('SUCCEEDED');
    expect(out.result.error).toEqual({ Error: 'AccessDeniedException', Cause: 'not allowed to restart api' });
    expect(
      out.history.map((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name).filter(Boolean),
    ).toEqual(['Restart', 'Denied']);
  });

  it('an uncaught AccessDeniedException fails the execution in that Task, which the engine reads as Forbidden in that step', async () => {
    const definition = {
      StartAt: 'Prepare',
      States: { Prepare: { Type: 'Pass', Next: 'Restart service' }, 'Restart service': task('${Restart}') },
    };
    const out = await run(definition, { target: 'api', fail: 'AccessDeniedException' });

    expect(out).toMatchObject({
      status: 'FAILED',
      error: 'AccessDeniedException',
      cause: 'not allowed to restart api',
    });
    // What SfnDriver.failureSite reads: the newest state entered.
    const failedStep = (
      out.history.findLast((e) => e.stateEnteredEventDetails)?.stateEnteredEventDetails as { name: string }
    ).name;
    expect(failedStep).toBe('Restart service');
    expect(
      classifyFailure({ status: 'FAILED', error: out.error, cause: out.cause, failedStep, ran: true }),
    ).toMatchObject({ reason: FailureReason.Forbidden });
  });

  it('an error a step throws keeps its name, even one JavaScript uses (SyntaxError), and a Catch on States.ALL takes it: only the definition’s own errors are States.Runtime', async () => {
    const definition = {
      StartAt: 'Restart',
      States: {
        Restart: task('${Restart}', {
          End: undefined,
          Next: 'Done',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
        }),
        Done: { Type: 'Pass', End: true },
      },
    };
    const out = await run(definition, { target: 'api', fail: 'SyntaxError' });

    expect(out.status).toBe('SUCCEEDED');
    expect(out.history.filter((e) => e.type === 'LambdaFunctionFailed')).toMatchObject([
      { lambdaFunctionFailedEventDetails: { error: 'SyntaxError', cause: 'not allowed to restart api' } },
    ]);
  });

  it('a step running past its timeoutSeconds fails as Lambda reports it, a function error that States.TaskFailed matches', async () => {
    const definition = {
      StartAt: 'Slow',
      States: {
        Slow: task('${Slow}', {
          Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }],
          End: undefined,
          Next: 'Caught',
        }),
        Caught: { Type: 'Pass', End: true },
      },
    };
    const out = await run(definition, {}, [step('Slow', 'slow.mjs', { timeoutSeconds: 1 })]);

    expect(out.status).toBe('SUCCEEDED');
    expect(out.result).toMatchObject({
      Error: 'Sandbox.Timedout',
      Cause: expect.stringContaining('Task timed out after 1.00 seconds'),
    });
  });
});

describe('step modules are loaded at start', () => {
  it('refuses a module without a handler export, naming the file', async () => {
    const wf = workflow({ StartAt: 'A', States: { A: task('${A}') } }, [step('A', 'no-handler.mjs')]);

    const refusal = localSteps([wf]);

    await expect(refusal).rejects.toThrow(StepLoadError);
    await expect(refusal).rejects.toThrow(`${join(dir, 'no-handler.mjs')} exports no handler function`);
  });

  it.each(['syntax.ts', 'syntax.mjs'])(
    'refuses %s, which has a syntax error, naming the file and the step',
    async (file) => {
      const wf = workflow({ StartAt: 'A', States: { A: task('${A}') } }, [step('A', file)]);

      await expect(localSteps([wf])).rejects.toThrow(
        new RegExp(`step "A": ${join(dir, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be loaded`),
      );
    },
  );
});

describe('local Lambda function names', () => {
  it('use the ARN and name pattern of the deployed functions', () => {
    expect(localStepArn({ id: 'restart-service', version: '1.2.3' }, 'Restart')).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:lockstep-restart-service-v1_2_3-Restart',
    );
  });

  it('shorten names beyond 64 characters with a hash, keeping them valid and distinct', () => {
    const long = 'a'.repeat(60);
    const one = stepFunctionName({ id: `${long}-one`, version: '1' }, 'Restart');
    const two = stepFunctionName({ id: `${long}-two`, version: '1' }, 'Restart');

    for (const name of [one, two]) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(one).not.toBe(two);
  });
});
