import { describe, expect, it } from 'vitest';
import { type HistoryEntry, stepsFromHistory } from '../../../lib/domain/steps.js';

let clock = 0;
const at = () => new Date(Date.UTC(2026, 10, 25, 4, 0, clock++)).toISOString();
const entered = (type: string, name: string): HistoryEntry => ({ type: `${type}StateEntered`, name, at: at() });
const exited = (type: string, name: string): HistoryEntry => ({ type: `${type}StateExited`, name, at: at() });
const event = (type: string, error?: string, cause?: string): HistoryEntry => ({
  type,
  at: at(),
  ...(error && { error }),
  ...(cause && { cause }),
});

describe('steps from a Step Functions history', () => {
  it('lists each state as it ran, in order, Succeeded with its times', () => {
    const steps = stepsFromHistory([
      event('ExecutionStarted'),
      entered('Pass', 'Prepare'),
      exited('Pass', 'Prepare'),
      entered('Task', 'Restart'),
      event('TaskScheduled'),
      event('TaskSucceeded'),
      exited('Task', 'Restart'),
      event('ExecutionSucceeded'),
    ]);
    expect(steps).toEqual([
      {
        name: 'Prepare',
        type: 'Pass',
        status: 'Succeeded',
        enteredAt: expect.any(String),
        exitedAt: expect.any(String),
      },
      {
        name: 'Restart',
        type: 'Task',
        status: 'Succeeded',
        enteredAt: expect.any(String),
        exitedAt: expect.any(String),
      },
    ]);
    expect(steps[0]!.enteredAt < steps[1]!.enteredAt).toBe(true);
  });

  it('forgets an attempt a Retry repeated, marks Caught a state whose error a Catch took, and Failed the one the execution failed in', () => {
    const steps = stepsFromHistory([
      entered('Task', 'Read'),
      event('LambdaFunctionScheduled'),
      event('LambdaFunctionFailed', 'AdminApiUnavailable', '503'),
      event('LambdaFunctionScheduled'),
      event('LambdaFunctionSucceeded'),
      exited('Task', 'Read'),
      entered('Task', 'ScaleUp'),
      event('TaskFailed', 'ScaleRefused', 'quota'),
      exited('Task', 'ScaleUp'),
      entered('Task', 'PutBack'),
      event('TaskFailed', 'AccessDeniedException', 'no'),
      event('ExecutionFailed', 'AccessDeniedException', 'no'),
    ]);
    expect(steps.map(({ name, status, error }) => ({ name, status, error }))).toEqual([
      { name: 'Read', status: 'Succeeded', error: undefined },
      { name: 'ScaleUp', status: 'Caught', error: 'ScaleRefused' },
      { name: 'PutBack', status: 'Failed', error: 'AccessDeniedException' },
    ]);
    expect(steps[1]!.cause).toBe('quota');
  });

  it('nests the states of Parallel branches and Map iterations under their parent, each run its own step, and fails a container whose branch failed', () => {
    const steps = stepsFromHistory([
      entered('Parallel', 'Fan'),
      entered('Task', 'Notify'),
      entered('Map', 'Each'),
      entered('Task', 'Drain'),
      exited('Task', 'Drain'),
      entered('Task', 'Drain'),
      event('TaskFailed', 'NodeBusy', 'busy'),
      exited('Task', 'Notify'),
      event('ExecutionFailed', 'NodeBusy', 'busy'),
    ]);
    expect(steps.map(({ name, status, parent }) => ({ name, status, parent }))).toEqual([
      { name: 'Fan', status: 'Failed', parent: undefined },
      { name: 'Notify', status: 'Succeeded', parent: 'Fan' },
      { name: 'Each', status: 'Failed', parent: 'Fan' },
      { name: 'Drain', status: 'Succeeded', parent: 'Each' },
      { name: 'Drain', status: 'Failed', parent: 'Each' },
    ]);
    expect(steps[0]!.error).toBe('NodeBusy');
  });

  it('keeps a Fail state Failed with the execution’s error, and a state of a running execution Running', () => {
    expect(stepsFromHistory([entered('Fail', 'Fail'), event('ExecutionFailed', 'TaskFailed', 'on purpose')])).toEqual([
      {
        name: 'Fail',
        type: 'Fail',
        status: 'Failed',
        enteredAt: expect.any(String),
        exitedAt: expect.any(String),
        error: 'TaskFailed',
        cause: 'on purpose',
      },
    ]);
    expect(stepsFromHistory([entered('Wait', 'Hold')])).toEqual([
      { name: 'Hold', type: 'Wait', status: 'Running', enteredAt: expect.any(String) },
    ]);
    expect(stepsFromHistory([])).toEqual([]);
  });

  it('ties interleaved branches’ events to their own states through the history’s links: a failed branch, the one it cut short, and the Parallel a Catch took', () => {
    const linkedEvent = (
      id: number,
      previousEventId: number,
      type: string,
      extra: Partial<HistoryEntry> = {},
    ): HistoryEntry => ({ id, previousEventId, type, at: at(), ...extra });
    const steps = stepsFromHistory([
      linkedEvent(1, 0, 'ExecutionStarted'),
      linkedEvent(2, 1, 'ParallelStateEntered', { name: 'P' }),
      linkedEvent(3, 2, 'ParallelStateStarted'),
      linkedEvent(4, 3, 'TaskStateEntered', { name: 'A' }),
      linkedEvent(5, 3, 'WaitStateEntered', { name: 'B' }),
      linkedEvent(6, 4, 'TaskScheduled'),
      linkedEvent(7, 6, 'TaskStarted'),
      linkedEvent(8, 7, 'TaskFailed', { error: 'Boom', cause: 'bad' }),
      linkedEvent(9, 8, 'ParallelStateFailed'),
      linkedEvent(10, 9, 'ParallelStateExited', { name: 'P' }),
      linkedEvent(11, 10, 'PassStateEntered', { name: 'Recover' }),
      linkedEvent(12, 11, 'PassStateExited', { name: 'Recover' }),
      linkedEvent(13, 12, 'ExecutionSucceeded'),
    ]);
    expect(steps.map(({ name, status, error, parent }) => ({ name, status, error, parent }))).toEqual([
      { name: 'P', status: 'Caught', error: 'Boom', parent: undefined },
      { name: 'A', status: 'Failed', error: 'Boom', parent: 'P' },
      { name: 'B', status: 'Failed', error: undefined, parent: 'P' },
      { name: 'Recover', status: 'Succeeded', error: undefined, parent: undefined },
    ]);
  });

  it('pairs each run of a Map iteration’s state with its own exit, through the links, when iterations overlap', () => {
    const linkedEvent = (
      id: number,
      previousEventId: number,
      type: string,
      extra: Partial<HistoryEntry> = {},
    ): HistoryEntry => ({
      id,
      previousEventId,
      type,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
      ...extra,
    });
    const steps = stepsFromHistory([
      linkedEvent(1, 0, 'MapStateEntered', { name: 'Each' }),
      linkedEvent(2, 1, 'MapStateStarted'),
      linkedEvent(3, 2, 'MapIterationStarted'),
      linkedEvent(4, 2, 'MapIterationStarted'),
      linkedEvent(5, 3, 'TaskStateEntered', { name: 'Drain' }),
      linkedEvent(6, 4, 'TaskStateEntered', { name: 'Drain' }),
      linkedEvent(7, 5, 'TaskStateExited', { name: 'Drain' }),
      linkedEvent(8, 6, 'TaskStateExited', { name: 'Drain' }),
      linkedEvent(9, 8, 'MapStateExited', { name: 'Each' }),
    ]);
    const drains = steps.filter((s) => s.name === 'Drain');
    expect(drains.map((s) => [s.enteredAt.slice(17, 19), s.exitedAt!.slice(17, 19), s.parent])).toEqual([
      ['05', '07', 'Each'],
      ['06', '08', 'Each'],
    ]);
  });
  it('gives the failure of a Map inside a Map’s iteration to each Map in turn, so the outer Map a Catch took is Caught (AWS-shaped links)', () => {
    const linkedEvent = (
      id: number,
      previousEventId: number,
      type: string,
      extra: Partial<HistoryEntry> = {},
    ): HistoryEntry => ({
      id,
      previousEventId,
      type,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
      ...extra,
    });
    const steps = stepsFromHistory([
      linkedEvent(1, 0, 'ExecutionStarted'),
      linkedEvent(2, 1, 'MapStateEntered', { name: 'Outer' }),
      linkedEvent(3, 2, 'MapStateStarted'),
      linkedEvent(4, 3, 'MapIterationStarted', { name: 'Outer' }),
      linkedEvent(5, 4, 'MapStateEntered', { name: 'Inner' }),
      linkedEvent(6, 5, 'MapStateStarted'),
      linkedEvent(7, 6, 'MapIterationStarted', { name: 'Inner' }),
      linkedEvent(8, 7, 'TaskStateEntered', { name: 'Work' }),
      linkedEvent(9, 8, 'TaskScheduled'),
      linkedEvent(10, 9, 'TaskStarted'),
      linkedEvent(11, 10, 'TaskFailed', { error: 'Boom', cause: 'bad' }),
      linkedEvent(12, 11, 'MapIterationFailed', { name: 'Inner' }),
      linkedEvent(13, 12, 'MapStateFailed'),
      linkedEvent(14, 13, 'MapIterationFailed', { name: 'Outer' }),
      linkedEvent(15, 14, 'MapStateFailed'),
      linkedEvent(16, 15, 'MapStateExited', { name: 'Outer' }),
      linkedEvent(17, 16, 'PassStateEntered', { name: 'Recover' }),
      linkedEvent(18, 17, 'PassStateExited', { name: 'Recover' }),
      linkedEvent(19, 18, 'ExecutionSucceeded'),
    ]);
    expect(steps.map(({ name, status, error, parent }) => ({ name, status, error, parent }))).toEqual([
      { name: 'Outer', status: 'Caught', error: 'Boom', parent: undefined },
      { name: 'Inner', status: 'Failed', error: 'Boom', parent: 'Outer' },
      { name: 'Work', status: 'Failed', error: 'Boom', parent: 'Inner' },
      { name: 'Recover', status: 'Succeeded', error: undefined, parent: undefined },
    ]);
  });
  it('gives a container whose branch failed without a Task error (a Fail state, a States.Runtime) the error the execution failed with', () => {
    const linkedEvent = (
      id: number,
      previousEventId: number,
      type: string,
      extra: Partial<HistoryEntry> = {},
    ): HistoryEntry => ({
      id,
      previousEventId,
      type,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
      ...extra,
    });
    const steps = stepsFromHistory([
      linkedEvent(1, 0, 'ExecutionStarted'),
      linkedEvent(2, 1, 'ParallelStateEntered', { name: 'Parse' }),
      linkedEvent(3, 2, 'ParallelStateStarted'),
      linkedEvent(4, 3, 'PassStateEntered', { name: 'Read' }),
      linkedEvent(5, 4, 'ParallelStateFailed'),
      linkedEvent(6, 5, 'ExecutionFailed', { error: 'States.Runtime', cause: 'bad JSON' }),
    ]);
    expect(steps.map(({ name, status, error, cause }) => ({ name, status, error, cause }))).toEqual([
      { name: 'Parse', status: 'Failed', error: 'States.Runtime', cause: 'bad JSON' },
      { name: 'Read', status: 'Failed', error: 'States.Runtime', cause: 'bad JSON' },
    ]);
  });
});
