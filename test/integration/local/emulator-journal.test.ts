import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local.js';
import { startStepFunctionsEndpoint } from '../../../lib/local/stepfunctions/http-endpoint.js';
import {
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
} from '../../../lib/local/stepfunctions/local-step-functions.js';
import { TEST_ENDPOINT_AUTHENTICATE, TEST_ENDPOINT_CREDENTIALS } from '../../support/engine.js';
import { ManualClock } from '../../support/manual-clock.js';
import { until } from '../../support/wait.js';

const QUICK = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
const FAILING = JSON.stringify({
  StartAt: 'Prepare',
  States: { Prepare: { Type: 'Pass', Next: 'Boom' }, Boom: { Type: 'Fail', Error: 'Boom', Cause: 'why' } },
});
/** A Task that has its side effect, then never ends on its own. */
const EFFECT = JSON.stringify({
  StartAt: 'Effect',
  States: { Effect: { Type: 'Task', Resource: 'effect', End: true } },
});

describe('local Step Functions with a data folder: a journal of every execution name it started', () => {
  const folders: string[] = [];
  const running: LocalStepFunctions[] = [];
  afterEach(() => {
    for (const sfn of running.splice(0)) sfn.shutdown();
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function setUp() {
    const dataDir = mkdtempSync(join(tmpdir(), 'lockstep-sfn-journal-'));
    folders.push(dataDir);
    const effects: unknown[] = [];
    const clock = new ManualClock();
    /** Local mode's Step Functions on the folder, as after a (re)start: the state machines deployed again. */
    const open = (options: Partial<LocalStepFunctionsOptions> = {}) => {
      const sfn = new LocalStepFunctions({
        clock,
        dataDir,
        taskHandlers: {
          effect: (input) => {
            effects.push(input);
            return new Promise(() => {});
          },
        },
        ...options,
      });
      running.push(sfn);
      const arns = Object.fromEntries(
        Object.entries({ quick: QUICK, failing: FAILING, effect: EFFECT }).map(([name, definition]) => [
          name,
          sfn.createStateMachine({ name, definition }).stateMachineArn,
        ]),
      );
      return { sfn, arns: arns as Record<'quick' | 'failing' | 'effect', string> };
    };
    return { dataDir, effects, clock, open };
  }

  it('never runs a name again after a restart: a run cut short by the restart is FAILED Lockstep.LocalRestart, and its name is refused', async () => {
    const { effects, clock, open } = setUp();
    const first = open();
    const input = JSON.stringify({ order: 1 });
    const { executionArn, startDate } = first.sfn.startExecution({
      stateMachineArn: first.arns.effect,
      name: 'wfe-1',
      input,
    });
    await until(() => (effects.length === 1 ? true : undefined), 5_000, 'the side effect');

    // kill -9: the first object is never shut down; a new one opens the same folder.
    clock.advanceSeconds(60);
    const second = open();
    for (const again of [input, JSON.stringify({ order: 2 })]) {
      expect(() =>
        second.sfn.startExecution({ stateMachineArn: second.arns.effect, name: 'wfe-1', input: again }),
      ).toThrow(expect.objectContaining({ type: 'ExecutionAlreadyExists' }));
    }
    expect(effects).toHaveLength(1);
    expect(second.sfn.describeExecution(executionArn)).toEqual({
      executionArn,
      stateMachineArn: first.arns.effect,
      name: 'wfe-1',
      status: 'FAILED',
      startDate,
      stopDate: clock.now(),
      input,
      error: 'Lockstep.LocalRestart',
      cause: expect.stringMatching(/^local mode restarted while it ran/),
    });
    expect(second.sfn.getExecutionHistory({ executionArn }).events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'LockstepHistoryLost',
      'ExecutionFailed',
    ]);
    expect(second.sfn.listExecutions({ stateMachineArn: second.arns.effect }).executions).toEqual([
      expect.objectContaining({ executionArn, status: 'FAILED' }),
    ]);

    // Another restart tells the same story, with the same dates.
    clock.advanceSeconds(60);
    const third = open();
    expect(third.sfn.describeExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'Lockstep.LocalRestart',
      startDate,
      stopDate: second.sfn.describeExecution(executionArn).stopDate,
    });
  });

  it('answers a run that ended before the restart with its recorded end, and refuses its name through the AWS SDK', async () => {
    const { open } = setUp();
    const first = open();
    const succeeded = first.sfn.startExecution({ stateMachineArn: first.arns.quick, name: 'done', input: '{"a":1}' });
    const failed = first.sfn.startExecution({ stateMachineArn: first.arns.failing, name: 'broke', input: '{"b":2}' });
    await first.sfn.idle();
    const before = [
      first.sfn.describeExecution(succeeded.executionArn),
      first.sfn.describeExecution(failed.executionArn),
    ];

    const second = open();
    const { output: _output, ...withoutOutput } = before[0]!;
    expect(second.sfn.describeExecution(succeeded.executionArn)).toEqual(withoutOutput);
    expect(second.sfn.describeExecution(failed.executionArn)).toEqual(before[1]);
    // The state it failed in is kept; the rest of the history is not, and the history says so.
    expect(second.sfn.getExecutionHistory({ executionArn: failed.executionArn }).events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'LockstepHistoryLost',
      'FailStateEntered',
      'ExecutionFailed',
    ]);

    const endpoint = await startStepFunctionsEndpoint(second.sfn, TEST_ENDPOINT_AUTHENTICATE.states, 0);
    const client = new SFNClient({
      endpoint: endpoint.url,
      region: LOCAL_REGION,
      credentials: TEST_ENDPOINT_CREDENTIALS,
    });
    try {
      await expect(
        client.send(new StartExecutionCommand({ stateMachineArn: second.arns.quick, name: 'done', input: '{"a":1}' })),
      ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    } finally {
      client.destroy();
      await endpoint.close();
    }
  });

  it('keeps as many names as the window keeps: the journal stays bounded, the oldest and the forgotten are not read back', async () => {
    const { dataDir, open } = setUp();
    const first = open({ maxFinishedExecutions: 2, maxTombstones: 3 });
    const arns: string[] = [];
    for (let i = 0; i < 400; i++) {
      arns.push(first.sfn.startExecution({ stateMachineArn: first.arns.quick, name: `run-${i}` }).executionArn);
      await first.sfn.idle();
    }
    first.sfn.forgetExecution(arns.at(-1)!);
    const journal = readFileSync(join(dataDir, 'stepfunctions-journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(journal.length).toBeLessThan(2 * 400);

    // The window read back holds its bound of the newest names (one more than before, as the
    // forgotten run left room); a name known is only ever refused, never run.
    const second = open({ maxFinishedExecutions: 2, maxTombstones: 3 });
    for (const arn of arns.slice(-6, -1))
      expect(second.sfn.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED' });
    for (const arn of [...arns.slice(0, -6), arns.at(-1)!])
      expect(() => second.sfn.describeExecution(arn)).toThrow(
        expect.objectContaining({ type: 'ExecutionDoesNotExist' }),
      );
    expect(second.sfn.retained()).toEqual({ running: 0, finished: 2, tombstones: 3 });
    // Held whole or as a tombstone, a run from before the restart says its history was not kept.
    for (const arn of [arns.at(-6)!, arns.at(-2)!]) {
      expect(second.sfn.getExecutionHistory({ executionArn: arn }).events.map((e) => e.type)).toEqual([
        'ExecutionStarted',
        'LockstepHistoryLost',
        'ExecutionSucceeded',
      ]);
    }
  });

  it('drops a line torn by a crash (a start that never ran), and refuses to start on a journal damaged elsewhere', async () => {
    const { dataDir, open } = setUp();
    const first = open();
    const done = first.sfn.startExecution({ stateMachineArn: first.arns.quick, name: 'done' });
    await first.sfn.idle();
    const file = join(dataDir, 'stepfunctions-journal.jsonl');
    const torn = JSON.stringify({
      started: done.executionArn.replace(':done', ':torn'),
      stateMachineArn: first.arns.quick,
      input: '{}',
      at: 0,
    }).slice(0, 40);
    appendFileSync(file, torn);

    const second = open();
    expect(second.sfn.describeExecution(done.executionArn)).toMatchObject({ status: 'SUCCEEDED' });
    // Rewritten without it: a line appended next is not glued to the torn one.
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean))
      expect(() => JSON.parse(line)).not.toThrow();

    writeFileSync(file, `not json\n${readFileSync(file, 'utf8')}`);
    expect(() => open()).toThrow(`${file} line 1 is not JSON: the journal of local Step Functions is damaged`);
  });
});
