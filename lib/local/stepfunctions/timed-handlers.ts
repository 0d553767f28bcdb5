import { parseReferencePath, readReferencePath } from '../../domain/reference-path.js';
import { setLongTimeout, sleep } from '../timers.js';
import { type TaskPlan, WAIT_CONTINUES } from './interpreter-definition.js';

/** A handler as the interpreter calls it: the Task's effective input in, its result out. */
export type InterpreterHandler = (input: unknown) => Promise<unknown>;

/** The error of a limit local mode cannot go past: it fails the state loudly rather than end a wait or timeout early. */
const LOCAL_TIMER_LIMIT = 'Lockstep.LocalTimerLimit';

export interface TimedHandlerContext {
  /** Aborted when the execution ends or is stopped: every sleep ends at once. */
  signal: AbortSignal;
  /** Wall-clock milliseconds, for Timestamp waits and deadlines. */
  now: () => number;
  /** The interpreter's timer limit for these states, in seconds. */
  limitSeconds: number;
}

/** What a transformed Wait state hands its handler (see `toInterpreterDefinition`). */
interface WaitPayload {
  input: unknown;
  seconds?: unknown;
  timestamp?: unknown;
}

/**
 * How long one attempt of a wait (or a guarded Task) may last: a margin under the
 * interpreter's own timer, so that the handler always answers first.
 */
export function attemptMs(limitSeconds: number): number {
  const limitMs = limitSeconds * 1000;
  return limitMs - Math.min(60_000, limitMs / 4);
}

/**
 * Runs one Wait state of one execution: sleeps until the wait's end on the long timer and
 * returns the effective input unchanged. A wait longer than one attempt throws
 * `WAIT_CONTINUES` before the interpreter's timer fires and, retried, goes on to the same
 * deadline: the effective input object (the same across retries, distinct between Map
 * iterations) identifies the wait. Without an object to identify it by, a wait longer than
 * one attempt fails with `LOCAL_TIMER_LIMIT` at once instead.
 */
export function waitHandler(context: TimedHandlerContext): InterpreterHandler {
  const deadlines = new WeakMap<object, number>();
  const attempt = attemptMs(context.limitSeconds);
  return async (raw) => {
    const payload = raw as WaitPayload;
    const { input } = payload;
    if (context.signal.aborted) return input;
    const key = input !== null && typeof input === 'object' ? input : undefined;
    const deadline = (key && deadlines.get(key)) ?? deadlineOf(payload, context.now());
    const remaining = deadline - context.now();
    if (remaining > attempt) {
      if (!key)
        throw stateError(
          LOCAL_TIMER_LIMIT,
          `this wait lasts ${Math.ceil(remaining / 1000)} s; local mode can carry a wait beyond ${Math.floor(attempt / 1000)} s only when the Wait's effective input is a JSON object or array`,
        );
      deadlines.set(key, deadline);
      await sleep(attempt, context.signal);
      if (context.signal.aborted) return input;
      throw stateError(WAIT_CONTINUES, `the wait goes on until ${new Date(deadline).toISOString()}`);
    }
    if (key) deadlines.delete(key);
    await sleep(remaining, context.signal);
    return input;
  };
}

/**
 * Enforces the timeout of a Task the interpreter cannot time (see `TaskPlan.guard`): the
 * real timeout when it fits in one attempt (`States.Timeout`), else `LOCAL_TIMER_LIMIT`
 * once an attempt's length has passed, before the interpreter's own timer would end it early.
 */
export function guardedTask(
  handler: (input: unknown) => unknown,
  guard: NonNullable<TaskPlan['guard']>,
  context: TimedHandlerContext,
): InterpreterHandler {
  const segments = 'timeoutSecondsPath' in guard ? parseReferencePath(guard.timeoutSecondsPath) : undefined;
  const attempt = attemptMs(context.limitSeconds);
  return (input) => {
    let timeoutSeconds: unknown;
    if ('timeoutSeconds' in guard) timeoutSeconds = guard.timeoutSeconds;
    else timeoutSeconds = readReferencePath(segments!, input);
    if (!Number.isInteger(timeoutSeconds) || (timeoutSeconds as number) < 1) {
      return Promise.reject(
        stateError(
          'States.Runtime',
          `Path expression '${(guard as { timeoutSecondsPath: string }).timeoutSecondsPath}' evaluated to ${JSON.stringify(timeoutSeconds) ?? 'nothing'}, but expected an integer >= 1`,
        ),
      );
    }
    const timeoutMs = (timeoutSeconds as number) * 1000;
    return new Promise((resolve, reject) => {
      const fits = timeoutMs <= attempt;
      const timer = setLongTimeout(
        () =>
          reject(
            fits
              ? stateError('States.Timeout', `the Task timed out after ${timeoutSeconds as number} s`)
              : stateError(
                  LOCAL_TIMER_LIMIT,
                  `the Task ran ${Math.floor(attempt / 1000)} s, the longest local mode can time; its timeout is ${timeoutSeconds as number} s`,
                ),
          ),
        Math.min(timeoutMs, attempt),
        { signal: context.signal },
      );
      Promise.resolve()
        .then(() => handler(input))
        .then(resolve, reject)
        .finally(() => timer.cancel());
    });
  };
}

function deadlineOf(payload: WaitPayload, now: number): number {
  if ('seconds' in payload) {
    const { seconds } = payload;
    if (!Number.isInteger(seconds) || (seconds as number) < 0)
      throw stateError(
        'States.Runtime',
        `the Wait's seconds evaluated to ${JSON.stringify(seconds) ?? 'nothing'}, but expected an integer >= 0`,
      );
    return now + (seconds as number) * 1000;
  }
  const { timestamp } = payload;
  if (typeof timestamp !== 'string' || !RFC3339.test(timestamp))
    throw stateError(
      'States.Runtime',
      `the Wait's timestamp evaluated to ${JSON.stringify(timestamp) ?? 'nothing'}, but expected a timestamp conforming to the RFC3339 profile`,
    );
  return Date.parse(timestamp);
}

const RFC3339 =
  /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.\d+)?(Z|(\+|-)([01][0-9]|2[0-3]):([0-5][0-9]))$/;

/** An error as a state's error: `name` is the ASL Error, `message` the Cause. */
export function stateError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}
