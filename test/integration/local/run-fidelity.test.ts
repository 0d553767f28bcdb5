import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

const WORKFLOWS = fileURLToPath(new URL('../../support/fixtures/fidelity-workflows/', import.meta.url));
const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type StepView = { name: string; type: string; status: string; parent?: string; error?: string; cause?: string };

/** Local mode runs what Step Functions runs: the steps it reports, the context object, and the errors of intrinsic functions. */
describe('local mode runs a workflow as Step Functions does', () => {
  let t: TestLocalMode;
  const out = mkdtempSync(join(tmpdir(), 'lockstep-fidelity-'));
  beforeAll(async () => {
    t = await startTestLocalMode({}, { workflowsDir: WORKFLOWS });
  });
  afterAll(async () => {
    await t.local.stop();
    rmSync(out, { recursive: true, force: true });
  });

  const run = async (workflowId: string, parameters: Record<string, string> = {}, targetResource = uniqueTarget()) => {
    const created = await t.call('POST', '/executions', { body: { targetResource, workflowId, parameters } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await t.settle();
    const execution = (await t.call('GET', `/executions/${created.body.id}`)).body;
    const steps = (await t.call('GET', `/executions/${created.body.id}/steps`)).body.items as StepView[];
    return { execution, steps, targetResource };
  };
  const brief = (steps: StepView[]) =>
    steps.map(({ name, status, parent, error }) => ({
      name,
      status,
      ...(parent && { parent }),
      ...(error && { error }),
    }));

  describe('the steps view', () => {
    it('shows a Task that a Retry ran again and that then succeeded as Succeeded, without the first attempt’s error', async () => {
      const { execution, steps } = await run('retry-then-succeed');

      expect(execution.phase).toBe('Completed');
      expect(brief(steps)).toEqual([
        { name: 'Flaky', status: 'Succeeded' },
        { name: 'Done', status: 'Succeeded' },
      ]);
    });

    it('shows a Map whose Catch took an iteration’s error as Caught, and the error on the iteration that failed', async () => {
      const { execution, steps } = await run('map-caught');

      expect(execution.phase).toBe('Completed');
      // Iteration 0 ("fail") entered Work first and failed while iteration 1 ("hang") was still running.
      expect(brief(steps)).toEqual([
        { name: 'Items', status: 'Succeeded' },
        { name: 'Each', status: 'Caught', error: 'Boom' },
        { name: 'Work', status: 'Failed', parent: 'Each', error: 'Boom' },
        { name: 'Work', status: 'Failed', parent: 'Each' },
        { name: 'Recover', status: 'Succeeded' },
      ]);
    });
  });

  describe('the context object', () => {
    it('gives Pass states, Map item selectors and iterations, and a retried Task the values Step Functions gives', async () => {
      const file = join(out, 'context.json');
      const { execution, targetResource } = await run('context-object', { OUT: file });
      expect(execution.phase, JSON.stringify(execution)).toBe('Completed');

      const executionArn = execution.executionRef.arn as string;
      const executionName = execution.executionRef.name as string;
      const stateMachineArn = executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');
      const common = {
        executionId: executionArn,
        executionName,
        roleArn: 'arn:aws:iam::000000000000:role/lockstep-local',
        stateMachineId: stateMachineArn,
        stateMachineName: stateMachineArn.split(':').at(-1),
      };
      const seen = JSON.parse(readFileSync(file, 'utf8'));
      expect(seen.pass).toMatchObject({ ...common, target: targetResource, stateName: 'Look', retryCount: 0 });
      expect(seen.task).toMatchObject({ ...common, stateName: 'Record', retryCount: 1 });
      for (const time of [seen.pass.startTime, seen.task.startTime, seen.pass.enteredTime, seen.task.enteredTime])
        expect(time).toMatch(RFC3339_MS);
      expect(seen.task.startTime).toBe(seen.pass.startTime);
      expect(seen.pass.enteredTime >= seen.pass.startTime).toBe(true);
      expect(seen.task.enteredTime >= seen.pass.enteredTime).toBe(true);
      expect(seen.map).toEqual([
        { index: 0, value: 'a', mapState: 'Each', stateName: 'Inner', executionName, target: targetResource },
        { index: 1, value: 'b', mapState: 'Each', stateName: 'Inner', executionName, target: targetResource },
      ]);
    });
  });

  describe('an intrinsic function that fails at run time', () => {
    it.each([
      ['StringToJson', '05'],
      ['StringToJson', 'abc'],
      ['StringToJson', '.5'],
      ['StringToJson', '1.'],
      ['Base64Decode', '%%%'],
    ])(
      'States.%s on %j fails the execution with States.Runtime, a ConfigurationError no Retry or Catch takes',
      async (fn, value) => {
        const { execution, steps } = await run('string-to-json', { FUNCTION: fn, VALUE: value });

        expect(execution.phase).toBe('Failed');
        expect(execution.failureDetails).toMatchObject({ reason: 'ConfigurationError', failedStep: `Read${fn}` });
        expect(execution.failureDetails.message).toContain('States.Runtime');
        expect(execution.failureDetails.message).toContain(`States.${fn}`);
        expect(steps.map((s) => s.name)).not.toContain('Caught');
        expect(steps.at(-1)).toMatchObject({ name: `Read${fn}`, status: 'Failed', error: 'States.Runtime' });
        expect(steps.find((s) => s.type === 'Parallel')).toMatchObject({ status: 'Failed', error: 'States.Runtime' });
      },
    );
  });
});
