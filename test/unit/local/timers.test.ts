import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLongInterval, setLongTimeout, sleep } from '../../../lib/local/timers.js';
import { MAX_TIMER_DELAY_MS } from '../../../lib/workflows/interpreter-checks.js';

describe('long timers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits the whole delay when it is longer than 2^31-1 ms, where setTimeout would fire at once', () => {
    const fired = vi.fn();
    setLongTimeout(fired, MAX_TIMER_DELAY_MS + 1000);

    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(999);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('never fires once cancelled, in any segment of a long delay', () => {
    const fired = vi.fn();
    const timer = setLongTimeout(fired, 3 * MAX_TIMER_DELAY_MS);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS + 5);
    timer.cancel();
    vi.advanceTimersByTime(3 * MAX_TIMER_DELAY_MS);
    expect(fired).not.toHaveBeenCalled();
  });

  it('repeats an interval of 99,999,999 s at that interval, not every millisecond', () => {
    const ticks = vi.fn();
    const interval = setLongInterval(ticks, 99_999_999_000);
    vi.advanceTimersByTime(1_000_000);
    expect(ticks).not.toHaveBeenCalled();
    vi.advanceTimersByTime(99_999_999_000 - 1_000_000);
    expect(ticks).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(99_999_999_000);
    expect(ticks).toHaveBeenCalledTimes(2);
    interval.cancel();
    vi.advanceTimersByTime(99_999_999_000);
    expect(ticks).toHaveBeenCalledTimes(2);
  });

  it('sleep leaves no listener on its signal once it has ended, so a run that waits in a loop does not pile them up', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) {
      const slept = sleep(10, controller.signal);
      await vi.advanceTimersByTimeAsync(10);
      await slept;
    }
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('sleep ends early when its signal is aborted', async () => {
    const controller = new AbortController();
    const done = vi.fn();
    void sleep(10 * MAX_TIMER_DELAY_MS, controller.signal).then(done);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveBeenCalled();
  });
});
