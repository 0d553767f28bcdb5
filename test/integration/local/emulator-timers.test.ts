import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
} from '../../../lib/local/stepfunctions/local-step-functions.js';
import { loadBuiltInWorkflows } from '../../../lib/workflows/load-workflows.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';
import { ManualClock } from '../../support/manual-clock.js';
import { until } from '../../support/wait.js';

/** The built-in wait workflow's definition: a Wait with SecondsPath. */
const WAIT = loadBuiltInWorkflows().find((w) => w.id === 'wait')!.definition!;
/** 2^31 ms + 1 s, in whole seconds: one second past what Node's setTimeout can hold. */
const BEYOND_NODE_TIMER_SECONDS = Math.ceil((2 ** 31 + 1000) / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const emulators: LocalStepFunctions[] = [];
function emulator(options: Partial<LocalStepFunctionsOptions> = {}) {
  const sfn = new LocalStepFunctions({ clock: new ManualClock(), ...options });
  emulators.push(sfn);
  return sfn;
}
afterEach(() => {
  for (const sfn of emulators.splice(0)) sfn.shutdown();
});

/** Creates a state machine from `definition`, starts it with `input`, and returns what a test needs to watch it. */
function start(sfn: LocalStepFunctions, definition: unknown, input: unknown = {}) {
  const name = `sm-${Math.random().toString(36).slice(2, 10)}`;
  const { stateMachineArn } = sfn.createStateMachine({ name, definition: JSON.stringify(definition) });
  const startedAt = performance.now();
  const { executionArn } = sfn.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  return {
    executionArn,
    describe: () => sfn.describeExecution(executionArn),
    types: () => sfn.getExecutionHistory({ executionArn }).events.map((e) => e.type),
    /** Waits for the run to end; returns how long it took since the start, in ms. */
    async finished(boundMs = 10_000) {
      await until(
        () => (sfn.describeExecution(executionArn).status === 'RUNNING' ? undefined : true),
        boundMs,
        `${executionArn} to end`,
        10,
      );
      return performance.now() - startedAt;
    },
  };
}

describe('Wait states never end early, whatever their length', () => {
  it.each([
    ['SecondsPath (the built-in wait workflow)', WAIT, { parameters: { SECONDS: String(BEYOND_NODE_TIMER_SECONDS) } }],
    [
      'Seconds',
      { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: BEYOND_NODE_TIMER_SECONDS, End: true } } },
      {},
    ],
    [
      'TimestampPath',
      { StartAt: 'Wait', States: { Wait: { Type: 'Wait', TimestampPath: '$.until', End: true } } },
      { until: '2100-01-01T00:00:00Z' },
    ],
    [
      'Timestamp',
      { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Timestamp: '2100-01-01T00:00:00Z', End: true } } },
      {},
    ],
  ])(
    'a wait beyond 2^31 ms by %s is still running after 300 ms, and stops cleanly',
    async (_label, definition, input) => {
      const sfn = emulator();
      const run = start(sfn, definition, input);

      // Safe on a busy machine: the bug ends such a wait after 1 ms, so a later look only makes a miss
      // less likely, never a false failure.
      await sleep(300);

      expect(run.describe().status).toBe('RUNNING');
      sfn.stopExecution({ executionArn: run.executionArn, error: 'Test.Stop', cause: 'done looking' });
      await Promise.race([
        sfn.idle(),
        // A bound against a hang, not a speed check: a stopped run settles at once.
        sleep(30_000).then(() => Promise.reject(new Error('the stopped run did not settle'))),
      ]);
      expect(run.describe()).toMatchObject({ status: 'ABORTED', error: 'Test.Stop' });
      expect(run.types().at(-1)).toBe('ExecutionAborted');
      expect(run.types()).not.toContain('WaitStateExited');
    },
  );

  it('waits a 1 s SecondsPath for about 1 s and records Wait events in order, data unchanged', async () => {
    const sfn = emulator();
    const run = start(sfn, WAIT, { parameters: { SECONDS: '1' }, other: [1, 2] });

    const elapsed = await run.finished();

    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3_000);
    expect(run.describe()).toMatchObject({
      status: 'SUCCEEDED',
      output: JSON.stringify({ parameters: { SECONDS: '1' }, other: [1, 2], wait: { seconds: 1 } }),
    });
    expect(run.types()).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const exited = sfn
      .getExecutionHistory({ executionArn: run.executionArn })
      .events.find((e) => e.type === 'WaitStateExited');
    expect(exited).toMatchObject({
      stateExitedEventDetails: {
        name: 'Wait',
        output: JSON.stringify({ parameters: { SECONDS: '1' }, other: [1, 2], wait: { seconds: 1 } }),
      },
    });
  });

  it('applies InputPath before SecondsPath and OutputPath after, as a Wait does', async () => {
    const sfn = emulator();
    const run = start(
      sfn,
      {
        StartAt: 'Wait',
        States: { Wait: { Type: 'Wait', InputPath: '$.a', SecondsPath: '$.s', OutputPath: '$.b', End: true } },
      },
      { a: { s: 0, b: { c: 1 } }, z: 2 },
    );

    await run.finished();

    expect(run.describe()).toMatchObject({ status: 'SUCCEEDED', output: JSON.stringify({ c: 1 }) });
  });

  it.each([
    [
      'Timestamp',
      { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Timestamp: '2020-01-01T00:00:00Z', End: true } } },
      {},
    ],
    [
      'TimestampPath',
      { StartAt: 'Wait', States: { Wait: { Type: 'Wait', TimestampPath: '$.at', End: true } } },
      { at: '2020-01-01T00:00:00Z' },
    ],
  ])('ends a %s wait in the past at once', async (_label, definition, input) => {
    const sfn = emulator();
    const run = start(sfn, definition, input);

    const elapsed = await run.finished();

    expect(run.describe().status).toBe('SUCCEEDED');
    expect(elapsed).toBeLessThan(500);
    expect(run.types()).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
  });

  it('fails a SecondsPath that is not a non-negative integer with States.Runtime', async () => {
    const sfn = emulator();
    const run = start(
      sfn,
      { StartAt: 'Wait', States: { Wait: { Type: 'Wait', SecondsPath: '$.s', End: true } } },
      { s: -5 },
    );

    await run.finished();

    expect(run.describe()).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('waits across several interpreter timers when a wait is longer than the interpreter can hold', async () => {
    const sfn = emulator({ timerLimitSeconds: 2 });
    const run = start(
      sfn,
      { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 3, Next: 'Done' }, Done: { Type: 'Succeed' } } },
      { keep: true },
    );

    const elapsed = await run.finished();

    expect(elapsed).toBeGreaterThanOrEqual(2_950);
    expect(elapsed).toBeLessThan(6_000);
    expect(run.describe()).toMatchObject({ status: 'SUCCEEDED', output: JSON.stringify({ keep: true }) });
    expect(run.types()).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('fails loudly, never early, a wait it cannot carry across interpreter timers', async () => {
    const sfn = emulator({ timerLimitSeconds: 2 });
    // The effective input is a number: nothing identifies the wait across its continuations.
    const run = start(
      sfn,
      { StartAt: 'Wait', States: { Wait: { Type: 'Wait', InputPath: '$.n', Seconds: 3, End: true } } },
      { n: 7 },
    );

    const elapsed = await run.finished();

    expect(run.describe()).toMatchObject({
      status: 'FAILED',
      error: 'Lockstep.LocalTimerLimit',
      cause: expect.stringMatching(/local mode/),
    });
    expect(elapsed).toBeLessThan(2_000);
  });

  describe('through local mode: wait SECONDS=2147484', () => {
    let t: TestLocalMode;
    beforeAll(async () => {
      t = await startTestLocalMode();
    });
    afterAll(() => t.local.stop());

    it('is refused at admission now that SECONDS is a whole number from 0 to 86400; the longest allowed wait is still Running after 300 ms', async () => {
      // The report's request: the timer itself is proven above, on the built-in definition.
      const refused = await t.call('POST', '/executions', {
        body: { targetResource: uniqueTarget(), workflowId: 'wait', parameters: { SECONDS: '2147484' } },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([
        expect.stringMatching(/^body\.parameters\.SECONDS: must be at most 86400/),
      ]);

      const created = await t.call('POST', '/executions', {
        body: { targetResource: uniqueTarget(), workflowId: 'wait', parameters: { SECONDS: '86400' } },
      });
      expect(created.status).toBe(201);

      // Safe on a busy machine: a day-long wait cut short ends at once; a later look only makes a miss less likely.
      await sleep(300);

      const execution = (await t.call('GET', `/executions/${created.body.id}`)).body;
      expect(execution).toMatchObject({ phase: 'Running', executionRef: { arn: expect.any(String) } });
      expect(t.local.stepFunctions.describeExecution(execution.executionRef.arn).status).toBe('RUNNING');
    });
  });
});

describe('execution and Task timeouts never fire early', () => {
  it('times out a run at its TimeoutSeconds of 1 as TIMED_OUT with States.Timeout', async () => {
    const sfn = emulator();
    const run = start(sfn, {
      TimeoutSeconds: 1,
      StartAt: 'Wait',
      States: { Wait: { Type: 'Wait', Seconds: 30, End: true } },
    });

    const elapsed = await run.finished();

    expect(run.describe()).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3_000);
    expect(run.types().at(-1)).toBe('ExecutionTimedOut');
  });

  it('lets a run with a TimeoutSeconds beyond 2^31 ms finish normally', async () => {
    const sfn = emulator();
    const run = start(sfn, {
      TimeoutSeconds: BEYOND_NODE_TIMER_SECONDS,
      StartAt: 'Wait',
      States: { Wait: { Type: 'Wait', Seconds: 1, End: true } },
    });

    await run.finished();

    expect(run.describe().status).toBe('SUCCEEDED');
  });

  it.each([
    ['TimeoutSeconds', { TimeoutSeconds: BEYOND_NODE_TIMER_SECONDS }, {}],
    ['TimeoutSecondsPath', { TimeoutSecondsPath: '$.timeout' }, { timeout: BEYOND_NODE_TIMER_SECONDS }],
  ])('lets a Task with a %s beyond 2^31 ms finish normally', async (_label, timeout, input) => {
    const sfn = emulator({
      taskHandlers: {
        // Work that takes a moment; nothing is asserted about how long.
        'arn:aws:lambda:us-east-1:000000000000:function:slow': () => sleep(100).then(() => ({ done: true })),
      },
    });
    const run = start(
      sfn,
      {
        StartAt: 'Slow',
        States: {
          Slow: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:slow',
            ...timeout,
            End: true,
          },
        },
      },
      input,
    );

    await run.finished();

    expect(run.describe()).toMatchObject({ status: 'SUCCEEDED', output: JSON.stringify({ done: true }) });
  });

  it('still times out a Task at its own TimeoutSeconds', async () => {
    const sfn = emulator({
      taskHandlers: { 'arn:aws:lambda:us-east-1:000000000000:function:slow': () => sleep(3_000) },
    });
    const run = start(sfn, {
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:slow',
          TimeoutSeconds: 1,
          End: true,
        },
      },
    });

    const elapsed = await run.finished();

    expect(run.describe()).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_500);
  });
});

describe('Tasks whose timeout the interpreter cannot hold', () => {
  const slow = 'arn:aws:lambda:us-east-1:000000000000:function:slow';

  it('times a Task out at its TimeoutSecondsPath', async () => {
    const sfn = emulator({ taskHandlers: { [slow]: () => sleep(3_000) } });
    const run = start(
      sfn,
      {
        StartAt: 'Slow',
        States: { Slow: { Type: 'Task', Resource: slow, TimeoutSecondsPath: '$.timeout', End: true } },
      },
      { timeout: 1 },
    );

    const elapsed = await run.finished();

    expect(run.describe()).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_500);
  });

  it('fails a TimeoutSecondsPath that is not a whole number of seconds with States.Runtime', async () => {
    const sfn = emulator({ taskHandlers: { [slow]: () => 'done' } });
    const run = start(
      sfn,
      {
        StartAt: 'Slow',
        States: { Slow: { Type: 'Task', Resource: slow, TimeoutSecondsPath: '$.timeout', End: true } },
      },
      { timeout: 'soon' },
    );

    await run.finished();

    expect(run.describe()).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('fails loudly, not with a false timeout, a Task still running when the timer limit is reached', async () => {
    const sfn = emulator({ timerLimitSeconds: 2, taskHandlers: { [slow]: () => sleep(3_000) } });
    // No TimeoutSeconds: AWS's default is 99,999,999 s, far beyond what the interpreter can time.
    const run = start(sfn, { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: slow, End: true } } });

    const elapsed = await run.finished();

    expect(run.describe()).toMatchObject({
      status: 'FAILED',
      error: 'Lockstep.LocalTimerLimit',
      cause: expect.stringMatching(/longest local mode can time/),
    });
    expect(elapsed).toBeGreaterThanOrEqual(1_450);
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('waits longer than one interpreter timer, in Map iterations', () => {
  it("carries each iteration's wait to its own end", async () => {
    const sfn = emulator({ timerLimitSeconds: 2 });
    const processor = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', SecondsPath: '$.s', End: true } } };
    const run = start(
      sfn,
      { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, End: true } } },
      { items: [{ s: 3 }, { s: 1 }, { s: 3 }] },
    );

    const elapsed = await run.finished();

    expect(run.describe()).toMatchObject({
      status: 'SUCCEEDED',
      output: JSON.stringify([{ s: 3 }, { s: 1 }, { s: 3 }]),
    });
    expect(elapsed).toBeGreaterThanOrEqual(2_950);
    expect(elapsed).toBeLessThan(6_000);
    expect(run.types().filter((type) => type.startsWith('Task'))).toEqual([]);
  });
});

describe('definitions the interpreter cannot run faithfully are refused clearly', () => {
  it('refuses state names used twice in the machine, as Step Functions does', () => {
    const sfn = emulator();
    const branch = { StartAt: 'Same', States: { Same: { Type: 'Pass', End: true } } };

    expect(() =>
      sfn.createStateMachine({
        name: 'duplicates',
        definition: JSON.stringify({
          StartAt: 'P',
          States: { P: { Type: 'Parallel', Branches: [branch, branch], End: true } },
        }),
      }),
    ).toThrow(/Same/);
  });

  it('refuses a Retry whose interval could outgrow the timer limit, naming the state', () => {
    const sfn = emulator();
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:x',
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 60, BackoffRate: 2, MaxAttempts: 30 }],
          End: true,
        },
      },
    };

    expect(() => sfn.createStateMachine({ name: 'retry-overflow', definition: JSON.stringify(definition) })).toThrow(
      /T.*MaxDelaySeconds/,
    );
  });
});

describe('in-process Task handlers at any depth', () => {
  const resource = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

  it('runs the Tasks of Parallel branches with their handlers', async () => {
    const calls: string[] = [];
    const sfn = emulator({
      taskHandlers: {
        [resource('left')]: (input) => (calls.push('left'), { left: input }),
        [resource('right')]: (input) => (calls.push('right'), { right: input }),
      },
    });
    const branch = (name: string) => ({
      StartAt: `Call${name}`,
      States: { [`Call${name}`]: { Type: 'Task', Resource: resource(name), End: true } },
    });
    const run = start(
      sfn,
      {
        StartAt: 'Both',
        States: { Both: { Type: 'Parallel', Branches: [branch('left'), branch('right')], End: true } },
      },
      { x: 1 },
    );

    await run.finished();

    expect(run.describe()).toMatchObject({
      status: 'SUCCEEDED',
      output: JSON.stringify([{ left: { x: 1 } }, { right: { x: 1 } }]),
    });
    expect(calls.sort()).toEqual(['left', 'right']);
  });

  it.each([['ItemProcessor'], ['Iterator']])(
    'runs the Tasks of a Map %s with their handler, once per item',
    async (field) => {
      const sfn = emulator({ taskHandlers: { [resource('double')]: (input) => (input as number) * 2 } });
      const processor = {
        StartAt: 'Double',
        States: { Double: { Type: 'Task', Resource: resource('double'), End: true } },
      };
      const run = start(
        sfn,
        { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', [field]: processor, End: true } } },
        { items: [1, 2, 3] },
      );

      await run.finished();

      expect(run.describe()).toMatchObject({ status: 'SUCCEEDED', output: JSON.stringify([2, 4, 6]) });
    },
  );

  it('runs Waits nested in a Map on the long timer too', async () => {
    const sfn = emulator();
    const processor = {
      StartAt: 'Hold',
      States: { Hold: { Type: 'Wait', Seconds: BEYOND_NODE_TIMER_SECONDS, End: true } },
    };
    const run = start(
      sfn,
      { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, End: true } } },
      { items: [{ a: 1 }, { a: 2 }] },
    );

    // Safe on a busy machine: a wait the interpreter got wrong ends after 1 ms; a later look only makes
    // a miss less likely.
    await sleep(300);

    expect(run.describe().status).toBe('RUNNING');
    sfn.stopExecution({ executionArn: run.executionArn });
    await sfn.idle();
    expect(run.describe().status).toBe('ABORTED');
  });
});
