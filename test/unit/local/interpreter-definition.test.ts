import { describe, expect, it } from 'vitest';
import { parseReferencePath, readReferencePath } from '../../../lib/domain/reference-path.js';
import {
  AWS_DEFAULT_TASK_TIMEOUT_SECONDS,
  type Definition,
  LOCAL_WAIT_RESOURCE,
  toInterpreterDefinition,
  WAIT_CONTINUES,
} from '../../../lib/local/stepfunctions/interpreter-definition.js';
import { attemptMs } from '../../../lib/local/stepfunctions/timed-handlers.js';
import { MAX_INTERPRETER_TIMER_SECONDS } from '../../../lib/workflows/interpreter-checks.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:f';
const machine = (States: Definition['States'], extra: Partial<Definition> = {}): Definition => ({
  StartAt: Object.keys(States)[0]!,
  States,
  ...extra,
});

describe('toInterpreterDefinition', () => {
  it('turns a Wait into a Task of the local wait resource that keeps its paths and transitions', () => {
    const { definition, waits } = toInterpreterDefinition(
      machine({
        W: { Type: 'Wait', Comment: 'c', InputPath: '$.a', OutputPath: '$.b', SecondsPath: '$.s', Next: 'Done' },
        Done: { Type: 'Succeed' },
      }),
    );

    expect(definition.States.W).toEqual({
      Type: 'Task',
      Resource: LOCAL_WAIT_RESOURCE,
      Comment: 'c',
      InputPath: '$.a',
      OutputPath: '$.b',
      Next: 'Done',
      Parameters: { 'input.$': '$', 'seconds.$': '$.s' },
      TimeoutSeconds: MAX_INTERPRETER_TIMER_SECONDS,
      Retry: [{ ErrorEquals: [WAIT_CONTINUES], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 99_999_999 }],
    });
    expect(definition.States.Done).toEqual({ Type: 'Succeed' });
    expect([...waits]).toEqual(['W']);
  });

  it.each([
    [{ Seconds: 5 }, { seconds: 5 }],
    [{ Seconds: 0 }, { seconds: 0 }],
    [{ Timestamp: '2030-01-01T00:00:00Z' }, { timestamp: '2030-01-01T00:00:00Z' }],
    [{ TimestampPath: '$$.Execution.Input.at' }, { 'timestamp.$': '$$.LockstepExecution.Input.at' }],
  ])('hands the handler the wait of %j', (field, parameters) => {
    const { definition } = toInterpreterDefinition(machine({ W: { Type: 'Wait', ...field, End: true } }));

    expect(definition.States.W!.Parameters).toEqual({ 'input.$': '$', ...parameters });
    expect(definition.States.W!.End).toBe(true);
  });

  it('points every path into $$.Execution at the context local mode fills, in paths, Choice rules and templates, and leaves literals alone', () => {
    const { definition, intrinsics } = toInterpreterDefinition(
      machine({
        Look: {
          Type: 'Pass',
          InputPath: '$$.Execution.Input',
          Parameters: {
            'id.$': '$$.Execution.Id',
            'named.$': "States.Format('{} {}', $$.Execution.Name, $.x)",
            literal: '$$.Execution.Id',
            nested: { 'all.$': '$$.Execution' },
          },
          Result: { 'kept.$': '$$.Execution.Id' },
          ResultPath: '$.look',
          Next: 'Pick',
        },
        Pick: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$$.Execution.Name', StringEqualsPath: '$$.Execution.Input.name', Next: 'Done' }] },
          ],
          Default: 'Done',
        },
        Done: { Type: 'Succeed', OutputPath: '$$.ExecutionName' },
      }),
    );

    expect(definition.States.Look).toMatchObject({
      InputPath: '$$.LockstepExecution.Input',
      Parameters: {
        'id.$': '$$.LockstepExecution.Id',
        'named.$': "States.Format('{} {}', $$.LockstepExecution.Name, $.x)",
        literal: '$$.Execution.Id',
        nested: { 'all.$': '$$.LockstepExecution' },
      },
      Result: { 'kept.$': '$$.Execution.Id' },
    });
    expect(definition.States.Pick!.Choices).toEqual([
      {
        And: [
          { Variable: '$$.LockstepExecution.Name', StringEqualsPath: '$$.LockstepExecution.Input.name', Next: 'Done' },
        ],
      },
    ]);
    expect(definition.States.Done!.OutputPath).toBe('$$.ExecutionName');
    expect(intrinsics.get('Look')).toEqual(["States.Format('{} {}', $$.Execution.Name, $.x)"]);
  });

  it('walks Parallel branches and Map item processors (ItemProcessor and Iterator) at any depth', () => {
    const inner = machine({
      InnerWait: { Type: 'Wait', Seconds: 1, Next: 'InnerTask' },
      InnerTask: { Type: 'Task', Resource: LAMBDA, End: true },
    });
    const { definition, waits, tasks } = toInterpreterDefinition(
      machine({
        P: {
          Type: 'Parallel',
          Branches: [
            machine({ M: { Type: 'Map', ItemProcessor: inner, End: true } }),
            machine({ B: { Type: 'Task', Resource: `${LAMBDA}b`, TimeoutSeconds: 5, End: true } }),
          ],
          Next: 'Old',
        },
        Old: { Type: 'Map', Iterator: machine({ OldWait: { Type: 'Wait', Seconds: 2, End: true } }), End: true },
      }),
    );

    expect([...waits].sort()).toEqual(['InnerWait', 'OldWait']);
    expect(Object.fromEntries(tasks)).toEqual({
      InnerTask: { resource: LAMBDA, guard: { timeoutSeconds: AWS_DEFAULT_TASK_TIMEOUT_SECONDS } },
      B: { resource: `${LAMBDA}b` },
    });
    const branches = definition.States.P!.Branches as Definition[];
    const processor = branches[0]!.States.M!.ItemProcessor as Definition;
    expect(processor.States.InnerWait).toMatchObject({ Type: 'Task', Resource: LOCAL_WAIT_RESOURCE });
    expect(processor.States.InnerTask).toMatchObject({ TimeoutSeconds: MAX_INTERPRETER_TIMER_SECONDS });
    expect((definition.States.Old!.Iterator as Definition).States.OldWait).toMatchObject({
      Type: 'Task',
      Resource: LOCAL_WAIT_RESOURCE,
    });
  });

  it('leaves a Task timeout the interpreter can hold to the interpreter, and guards the others', () => {
    const { definition, tasks } = toInterpreterDefinition(
      machine({
        Short: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: MAX_INTERPRETER_TIMER_SECONDS, Next: 'Long' },
        Long: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: MAX_INTERPRETER_TIMER_SECONDS + 1, Next: 'None' },
        None: { Type: 'Task', Resource: LAMBDA, Next: 'ByPath' },
        ByPath: { Type: 'Task', Resource: LAMBDA, TimeoutSecondsPath: '$.timeout', End: true },
      }),
    );

    expect(tasks.get('Short')).toEqual({ resource: LAMBDA });
    expect(definition.States.Short!.TimeoutSeconds).toBe(MAX_INTERPRETER_TIMER_SECONDS);
    expect(tasks.get('Long')!.guard).toEqual({ timeoutSeconds: MAX_INTERPRETER_TIMER_SECONDS + 1 });
    expect(tasks.get('None')!.guard).toEqual({ timeoutSeconds: AWS_DEFAULT_TASK_TIMEOUT_SECONDS });
    expect(tasks.get('ByPath')!.guard).toEqual({ timeoutSecondsPath: '$.timeout' });
    for (const name of ['Long', 'None', 'ByPath'])
      expect(definition.States[name]!.TimeoutSeconds).toBe(MAX_INTERPRETER_TIMER_SECONDS);
    expect(definition.States.ByPath).not.toHaveProperty('TimeoutSecondsPath');
  });

  it('takes the execution TimeoutSeconds out of the definition', () => {
    const { definition, timeoutSeconds } = toInterpreterDefinition(
      machine({ Done: { Type: 'Succeed' } }, { TimeoutSeconds: 99_999_999 }),
    );

    expect(timeoutSeconds).toBe(99_999_999);
    expect(definition).not.toHaveProperty('TimeoutSeconds');
  });

  it('uses the timer limit it is given', () => {
    const { definition, tasks } = toInterpreterDefinition(
      machine({
        W: { Type: 'Wait', Seconds: 9, Next: 'T' },
        T: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 3, End: true },
      }),
      { timerLimitSeconds: 2 },
    );

    expect(definition.States.W!.TimeoutSeconds).toBe(2);
    expect(definition.States.T!.TimeoutSeconds).toBe(2);
    expect(tasks.get('T')!.guard).toEqual({ timeoutSeconds: 3 });
  });

  it.each([
    [
      'a Retry that could wait beyond the limit',
      {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3600, MaxAttempts: 20 }],
          End: true,
        },
      },
      /"T", Retry #1.*MaxDelaySeconds/,
    ],
    [
      'the same on a Parallel state',
      {
        P: {
          Type: 'Parallel',
          Branches: [machine({ X: { Type: 'Pass', End: true } })],
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 99_999_999 }],
          End: true,
        },
      },
      /"P", Retry #1/,
    ],
    [
      'a state name used twice',
      {
        P: {
          Type: 'Parallel',
          Branches: [machine({ X: { Type: 'Pass', End: true } }), machine({ X: { Type: 'Pass', End: true } })],
          End: true,
        },
      },
      /"X" is used more than once/,
    ],
    [
      'a TimeoutSecondsPath into the context object',
      { T: { Type: 'Task', Resource: LAMBDA, TimeoutSecondsPath: '$$.Execution.Input.t', End: true } },
      /context object/,
    ],
    [
      'a TimeoutSecondsPath that is not a reference path',
      { T: { Type: 'Task', Resource: LAMBDA, TimeoutSecondsPath: '$.items[*].t', End: true } },
      /not a reference path/,
    ],
  ])('refuses %s as InvalidDefinition', (_label, States, message) => {
    expect(() => toInterpreterDefinition(machine(States as Definition['States']))).toThrow(
      expect.objectContaining({ type: 'InvalidDefinition', message: expect.stringMatching(message) }),
    );
  });

  it('accepts a long Retry held under the limit by MaxDelaySeconds', () => {
    expect(() =>
      toInterpreterDefinition(
        machine({
          T: {
            Type: 'Task',
            Resource: LAMBDA,
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3600, MaxAttempts: 20, MaxDelaySeconds: 86_400 }],
            End: true,
          },
        }),
      ),
    ).not.toThrow();
  });
});

describe('reference paths', () => {
  it.each([
    ['$', []],
    ['$.a.b', ['a', 'b']],
    ["$['a b'].c", ['a b', 'c']],
    ['$["x"][2]', ['x', 2]],
    ['$.list[0].timeout', ['list', 0, 'timeout']],
  ])('parses %s', (path, segments) => {
    expect(parseReferencePath(path)).toEqual(segments);
  });

  it.each(['', 'a.b', '$$.x', '$.a[*]', '$..a', '$.a[?(@.b)]', '$.'])('refuses %j', (path) => {
    expect(parseReferencePath(path)).toBeUndefined();
  });

  it('reads own properties only', () => {
    expect(readReferencePath(['a', 1, 'b'], { a: [{}, { b: 7 }] })).toBe(7);
    expect(readReferencePath(['constructor'], {})).toBeUndefined();
    expect(readReferencePath(['length'], [1, 2])).toBeUndefined();
    expect(readReferencePath([3], [1, 2])).toBeUndefined();
    expect(readReferencePath(['a'], 5)).toBeUndefined();
  });
});

describe('attemptMs', () => {
  it('leaves a minute of margin under the interpreter timer, or a quarter of short limits', () => {
    expect(attemptMs(MAX_INTERPRETER_TIMER_SECONDS)).toBe(MAX_INTERPRETER_TIMER_SECONDS * 1000 - 60_000);
    expect(attemptMs(2)).toBe(1_500);
  });
});
