import { parseReferencePath } from '../domain/reference-path.js';

/**
 * What Step Functions accepts but local mode's interpreter (aws-local-stepfunctions) cannot run
 * faithfully. One set of checks, run everywhere: the loader runs them on every definition, so
 * `lockstep workflows validate`, local mode and the CDK app refuse the same folders with the
 * same lines; the local Step Functions endpoint runs them again on CreateStateMachine (with its
 * own timer limit) for definitions that reach it without the loader.
 */

/** The longest delay Node's setTimeout takes (about 24.8 days): a longer one is silently replaced by 1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** The longest delay, in whole seconds, the interpreter's timers hold (Node's setTimeout: 2^31-1 ms, about 24.8 days). */
export const MAX_INTERPRETER_TIMER_SECONDS = Math.floor(MAX_TIMER_DELAY_MS / 1000);

type State = Readonly<Record<string, unknown>>;

/** The problems of one state, named by `name`; empty when local mode runs it as Step Functions would. */
export function interpreterProblems(name: string, state: State, limit = MAX_INTERPRETER_TIMER_SECONDS): string[] {
  const problems = retryProblems(name, state, limit);
  const path = state.Type === 'Task' ? state.TimeoutSecondsPath : undefined;
  const pathProblem = typeof path === 'string' ? timeoutSecondsPathProblem(name, path) : undefined;
  return pathProblem ? [...problems, pathProblem] : problems;
}

/** The interpreter sleeps between attempts with setTimeout: an interval beyond the limit would retry at once. */
export function retryProblems(name: string, state: State, limit: number): string[] {
  const retriers = Array.isArray(state.Retry) ? (state.Retry as unknown[]) : [];
  return retriers.flatMap((retrier, i) => {
    if (typeof retrier !== 'object' || retrier === null) return [];
    const { IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds } = retrier as Record<string, unknown>;
    const interval = (IntervalSeconds as number | undefined) ?? 1;
    const backoff = (BackoffRate as number | undefined) ?? 2;
    const attempts = (MaxAttempts as number | undefined) ?? 3;
    const maxDelay = MaxDelaySeconds as number | undefined;
    const longest =
      attempts < 1 ? 0 : Math.min(interval * backoff ** (attempts - 1), maxDelay || Number.POSITIVE_INFINITY);
    if (!(longest > limit)) return [];
    const reach = Number.isFinite(longest) ? `${longest} s` : 'any length';
    return [
      `state "${name}", Retry #${i + 1}: the wait before a retry could reach ${reach}, more than local mode's interpreter can time (${limit} s); set MaxDelaySeconds to at most ${limit}`,
    ];
  });
}

/** Local mode enforces a TimeoutSecondsPath itself, reading it from the state's input: it must be a reference path into it. */
export function timeoutSecondsPathProblem(name: string, path: string): string | undefined {
  if (path.startsWith('$$'))
    return `state "${name}": a TimeoutSecondsPath into the context object (${path}) is not supported in local mode`;
  if (!parseReferencePath(path)) return `state "${name}": TimeoutSecondsPath ${path} is not a reference path`;
  return undefined;
}
