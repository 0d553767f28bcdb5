import {
  MAX_INTERPRETER_TIMER_SECONDS,
  retryProblems,
  timeoutSecondsPathProblem,
} from '../../workflows/interpreter-checks.js';
import { AwsServiceError } from '../aws-json-endpoint.js';

/**
 * `aws-local-stepfunctions` times Wait states, Task timeouts, Retry intervals and the
 * execution's `TimeoutSeconds` with the global `setTimeout`, which turns any delay over
 * 2^31-1 ms (about 24.8 days) into 1 ms: a long wait or timeout ends at once. So the
 * definition handed to the interpreter is not the one deployed; at every depth (Parallel
 * branches, Map item processors):
 *
 * - each Wait state becomes a Task of `LOCAL_WAIT_RESOURCE`, which local mode runs in
 *   process: its Parameters hand the handler the effective input (the interpreter applies
 *   InputPath first, OutputPath after, as for the Wait) and the wait read from the Wait's own
 *   field (SecondsPath and TimestampPath evaluated by the interpreter, `$$` included); the
 *   handler sleeps on the long timer and returns the input unchanged. Its interpreter timeout
 *   is the timer limit; a wait longer than that is carried across several attempts by
 *   `WAIT_CONTINUES` and the Retry added for it (history shows only Wait events);
 * - a Task's `TimeoutSeconds` within the limit is left to the interpreter; a longer one, or
 *   none (AWS's default is 99,999,999 s; the interpreter's is 60 s), and any
 *   `TimeoutSecondsPath`, is given the limit, and the handler enforces the real timeout
 *   (`TaskPlan.guard`);
 * - the execution's `TimeoutSeconds` is removed: LocalStepFunctions enforces it itself;
 * - every path into `$$.Execution` reads `$$.${CONTEXT_EXECUTION}` instead: the interpreter sets
 *   `$$.Execution.Input` and `StartTime` itself, to each Map iteration's or Parallel branch's
 *   input and start, and knows nothing else of the execution; LocalStepFunctions puts the whole
 *   `$$.Execution` of Step Functions there (see `withContextPaths`);
 * - a Retry that could wait longer than the limit between attempts is refused, as is a state
 *   name used twice in the machine (Step Functions refuses that too). The checks live in
 *   lib/workflows/interpreter-checks.ts, which the loader runs too: validate refuses the same.
 */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::lockstep:local-wait';
/** The error a wait throws to be retried at once, when it lasts longer than one interpreter timer. */
export const WAIT_CONTINUES = 'Lockstep.WaitContinues';
/** Where the interpreter's context object holds `$$.Execution` as Step Functions gives it. */
export const CONTEXT_EXECUTION = 'LockstepExecution';
/** AWS's Task timeout when the state sets none. */
export const AWS_DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;

type State = Record<string, unknown>;
export interface Definition {
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

/** How a Task state's handler must be called. */
export interface TaskPlan {
  resource: string;
  /** Set when the handler, not the interpreter, must enforce the timeout. */
  guard?: { timeoutSeconds: number } | { timeoutSecondsPath: string };
}

export interface InterpreterDefinition {
  /** What the interpreter runs. */
  definition: Definition;
  /** The execution's TimeoutSeconds, enforced outside the interpreter. */
  timeoutSeconds?: number;
  /** The names of the Wait states (now Tasks of LOCAL_WAIT_RESOURCE). */
  waits: ReadonlySet<string>;
  /** The Task states of the definition, by name, at every depth. */
  tasks: ReadonlyMap<string, TaskPlan>;
  /** The intrinsic function expressions each state evaluates, by state name (the cause of a failure names them). */
  intrinsics: ReadonlyMap<string, readonly string[]>;
  /** Whether a path reads `$$` or `$$.State` whole (a state's result may then hold the live context: see RunRecorder). */
  readsContextWhole: boolean;
}

/** Transforms a (valid) definition for the interpreter; `InvalidDefinition` for what local mode cannot run faithfully. */
export function toInterpreterDefinition(
  definition: Definition,
  options: { timerLimitSeconds?: number } = {},
): InterpreterDefinition {
  const limit = options.timerLimitSeconds ?? MAX_INTERPRETER_TIMER_SECONDS;
  const waits = new Set<string>();
  const tasks = new Map<string, TaskPlan>();
  const intrinsics = new Map<string, string[]>();
  const seen = new Set<string>();
  let readsContextWhole = false;
  const onPath = (path: string) => {
    readsContextWhole ||= WHOLE_CONTEXT.test(path);
  };

  const transformMachine = (machine: Definition): Definition => ({
    ...machine,
    States: Object.fromEntries(
      Object.entries(machine.States).map(([name, state]) => [name, transformState(name, state)]),
    ),
  });

  const transformState = (name: string, state: State): State => {
    if (seen.has(name))
      invalid(`the state name "${name}" is used more than once; state names must be unique in the whole state machine`);
    seen.add(name);
    const retryProblem = retryProblems(name, state, limit)[0];
    if (retryProblem) invalid(retryProblem);
    const evaluated = intrinsicsOf(state);
    if (evaluated.length > 0) intrinsics.set(name, evaluated);
    const own = withContextPaths(state, onPath);
    switch (state.Type) {
      case 'Wait':
        waits.add(name);
        return waitAsTask(own, limit);
      case 'Task':
        return planTask(name, own, limit, tasks);
      case 'Parallel':
        return { ...own, Branches: (state.Branches as Definition[]).map(transformMachine) };
      case 'Map':
        return {
          ...own,
          ...(state.ItemProcessor !== undefined && {
            ItemProcessor: transformMachine(state.ItemProcessor as Definition),
          }),
          ...(state.Iterator !== undefined && { Iterator: transformMachine(state.Iterator as Definition) }),
        };
      default:
        return own;
    }
  };

  const { TimeoutSeconds: timeoutSeconds, ...rest } = definition;
  return {
    definition: transformMachine(rest as Definition),
    ...(timeoutSeconds !== undefined && { timeoutSeconds }),
    waits,
    tasks,
    intrinsics,
    readsContextWhole,
  };
}

/** The fields whose values are payload templates: there, only keys ending in `.$` hold paths. */
const TEMPLATES = new Set(['Parameters', 'ItemSelector', 'ResultSelector']);
/** Fields of a state that are not its own: nested state machines, and literals. */
const NOT_PATHS = new Set(['ItemProcessor', 'Iterator', 'Branches', 'Result', 'Comment', 'ResultPath']);
const EXECUTION_PATH = /\$\$\.Execution(?=$|[.[\s,)])/g;
const WHOLE_CONTEXT = /\$\$(?:\.State)?(?=$|[\s,)])/;

/**
 * A state's own fields (not its nested machines) with every path into `$$.Execution`, in a
 * path field, a Choice rule or a template's `.$` value (intrinsic function arguments included),
 * reading `$$.${CONTEXT_EXECUTION}` instead.
 */
function withContextPaths(state: State, onPath: (path: string) => void): State {
  const rewrite = (value: unknown) => {
    if (typeof value !== 'string') return value;
    onPath(value);
    return value.replace(EXECUTION_PATH, `$$$$.${CONTEXT_EXECUTION}`);
  };
  const template = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(template);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, key.endsWith('.$') ? rewrite(inner) : template(inner)]),
    );
  };
  const rule = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rule);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === 'Variable' || key.endsWith('Path') ? rewrite(inner) : rule(inner),
      ]),
    );
  };
  return Object.fromEntries(
    Object.entries(state).map(([key, value]) => {
      if (TEMPLATES.has(key)) return [key, template(value)];
      if (key === 'Choices') return [key, rule(value)];
      if (NOT_PATHS.has(key)) return [key, value];
      return [key, key.endsWith('Path') ? rewrite(value) : value];
    }),
  );
}

/** The intrinsic function expressions in a state's own templates. */
function intrinsicsOf(state: State): string[] {
  const found: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key.endsWith('.$') && typeof inner === 'string' && inner.startsWith('States.')) found.push(inner);
        else visit(inner);
      }
    }
  };
  for (const key of TEMPLATES) visit(state[key]);
  return found;
}

function waitAsTask(state: State, limit: number): State {
  const { Seconds, SecondsPath, Timestamp, TimestampPath, ...kept } = state;
  return {
    ...kept, // Comment, InputPath, OutputPath, Next or End
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    Parameters: {
      'input.$': '$',
      ...(Seconds !== undefined && { seconds: Seconds }),
      ...(SecondsPath !== undefined && { 'seconds.$': SecondsPath }),
      ...(Timestamp !== undefined && { timestamp: Timestamp }),
      ...(TimestampPath !== undefined && { 'timestamp.$': TimestampPath }),
    },
    TimeoutSeconds: limit,
    Retry: [{ ErrorEquals: [WAIT_CONTINUES], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 99_999_999 }],
  };
}

function planTask(name: string, state: State, limit: number, tasks: Map<string, TaskPlan>): State {
  const resource = state.Resource as string;
  const { TimeoutSeconds: declared, TimeoutSecondsPath: path, ...rest } = state;
  if (typeof declared === 'number' && declared <= limit) {
    tasks.set(name, { resource });
    return state;
  }
  if (typeof path === 'string') {
    const pathProblem = timeoutSecondsPathProblem(name, path);
    if (pathProblem) invalid(pathProblem);
    tasks.set(name, { resource, guard: { timeoutSecondsPath: path } });
  } else {
    tasks.set(name, {
      resource,
      guard: { timeoutSeconds: typeof declared === 'number' ? declared : AWS_DEFAULT_TASK_TIMEOUT_SECONDS },
    });
  }
  return { ...rest, TimeoutSeconds: limit };
}

function invalid(message: string): never {
  throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: ${message}`);
}
