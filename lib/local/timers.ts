/**
 * Timers for any delay. Node's setTimeout takes at most 2^31-1 ms (about 24.8 days): a
 * longer delay is silently replaced by 1 ms, so a 25-day wait would end at once and a
 * 3-year sweep interval would spin. These chain shorter timers instead.
 */
import { MAX_TIMER_DELAY_MS } from '../workflows/interpreter-checks.js';

export interface LongTimer {
  /** Stops the timer; safe to call more than once. */
  cancel(): void;
}

export interface LongTimerOptions {
  /** Keep the process alive while waiting (Node's default). Default: true. */
  ref?: boolean;
  /** Cancels the timer when aborted. */
  signal?: AbortSignal;
}

/** Calls `callback` once, `delayMs` from now (negative or NaN delays count as 0). */
export function setLongTimeout(callback: () => void, delayMs: number, options: LongTimerOptions = {}): LongTimer {
  let handle: NodeJS.Timeout | undefined;
  let cancelled = false;
  const cancel = () => {
    cancelled = true;
    if (handle) clearTimeout(handle);
    options.signal?.removeEventListener('abort', cancel);
  };
  if (options.signal?.aborted) return { cancel };
  options.signal?.addEventListener('abort', cancel, { once: true });
  let remaining = Number.isFinite(delayMs) ? Math.max(0, delayMs) : delayMs > 0 ? Number.POSITIVE_INFINITY : 0;
  const arm = () => {
    const step = Math.min(remaining, MAX_TIMER_DELAY_MS);
    remaining -= step;
    handle = setTimeout(() => {
      if (cancelled) return;
      if (remaining > 0) return arm();
      options.signal?.removeEventListener('abort', cancel);
      callback();
    }, step);
    if (options.ref === false) handle.unref();
  };
  arm();
  return { cancel };
}

/** Calls `callback` every `intervalMs`, the first time `intervalMs` from now. */
export function setLongInterval(callback: () => void, intervalMs: number, options: LongTimerOptions = {}): LongTimer {
  let current: LongTimer | undefined;
  let cancelled = false;
  const schedule = () => {
    current = setLongTimeout(
      () => {
        if (cancelled) return;
        schedule();
        callback();
      },
      intervalMs,
      options,
    );
  };
  schedule();
  return {
    cancel() {
      cancelled = true;
      current?.cancel();
    },
  };
}

/** Resolves after `delayMs` (any length), or at once when `signal` is aborted. */
export function sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    // The listener goes when the sleep ends either way: a run that waits in a loop must not pile them up on its signal.
    const onAbort = () => {
      timer.cancel();
      resolve();
    };
    const timer = setLongTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
