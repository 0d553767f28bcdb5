import { describe, expect, it } from 'vitest';
import {
  ExecutionWindow,
  historySummary,
  type WindowedRun,
} from '../../../lib/local/stepfunctions/execution-window.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

function run(i: number, status: WindowedRun['status'] = 'SUCCEEDED'): WindowedRun {
  return {
    executionArn: `arn:aws:states:us-east-1:0:execution:sm:run-${i}`,
    stateMachineArn: 'arn:aws:states:us-east-1:0:stateMachine:sm',
    name: `run-${i}`,
    input: `{"i":${i}}`,
    status,
    startDate: at(i),
    ...(status !== 'RUNNING' && { stopDate: at(i + 1) }),
    ...(status === 'FAILED' && { error: 'Boom', cause: 'why' }),
    history: [
      { id: 1, previousEventId: 0, timestamp: at(i), type: 'ExecutionStarted' },
      {
        id: 2,
        previousEventId: 1,
        timestamp: at(i),
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'Work', input: '{}' },
      },
    ],
  };
}

describe('ExecutionWindow', () => {
  it('keeps running runs, the last finished ones whole, tombstones before them, and nothing older', () => {
    const window = new ExecutionWindow<WindowedRun>(2, 3);
    const running = run(100, 'RUNNING');
    window.start(running);

    for (let i = 0; i < 8; i++) {
      const r = run(i);
      window.start(r);
      window.finish(r);
    }

    expect(window.counts()).toEqual({ running: 1, finished: 2, tombstones: 3 });
    expect(window.get(running.executionArn)).toBe(running);
    expect([6, 7].map((i) => window.get(run(i).executionArn)?.name)).toEqual(['run-6', 'run-7']);
    expect([3, 4, 5].map((i) => window.tombstone(run(i).executionArn))).toEqual(
      [3, 4, 5].map((i) => ({
        name: `run-${i}`,
        stateMachineArn: run(i).stateMachineArn,
        status: 'SUCCEEDED',
        startDate: at(i),
        stopDate: at(i + 1),
        input: `{"i":${i}}`,
      })),
    );
    expect([0, 1, 2].some((i) => window.taken(run(i).executionArn))).toBe(false);
    expect([3, 4, 5, 6, 7, 100].every((i) => window.taken(run(i).executionArn))).toBe(true);
  });

  it('forgets a run or a tombstone at once', () => {
    const window = new ExecutionWindow<WindowedRun>(1, 5);
    const [a, b] = [run(1), run(2)];
    for (const r of [a, b]) {
      window.start(r);
      window.finish(r);
    }

    expect(window.forget(b.executionArn)).toBe(b);
    expect(window.forget(a.executionArn)).toBeUndefined();
    expect(window.counts()).toEqual({ running: 0, finished: 0, tombstones: 0 });
  });

  it('summarizes the history of a failed run from its tombstone', () => {
    const window = new ExecutionWindow<WindowedRun>(0, 1);
    const failed = run(1, 'FAILED');
    window.start(failed);
    window.finish(failed);

    expect(
      historySummary(window.tombstone(failed.executionArn)!, 'arn:aws:iam::0:role/r').map(({ type, id }) => [id, type]),
    ).toEqual([
      [1, 'ExecutionStarted'],
      [2, 'TaskStateEntered'],
      [3, 'ExecutionFailed'],
    ]);
  });

  it.each([[-1], [1.5], [Number.NaN]])('refuses a bound of %s', (bound) => {
    expect(() => new ExecutionWindow(bound, 1)).toThrow(RangeError);
    expect(() => new ExecutionWindow(1, bound)).toThrow(RangeError);
  });
});
