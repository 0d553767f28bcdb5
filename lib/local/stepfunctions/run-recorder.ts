import { StateMachine } from 'aws-local-stepfunctions';

/**
 * What `aws-local-stepfunctions` (3.x) does not give: the events of each Parallel branch and
 * Map iteration as they happen, in the order they happen, with the branch or iteration they
 * belong to (its event log forwards nested events later, and drops which branch, and which
 * iteration of an outer Map, they came from), and a context object beyond
 * `$$.Execution.Input`/`StartTime` and `$$.Map.Item`. So every run of one of its state
 * machines, nested ones included, is observed as it runs: `StateMachine.prototype.execute`
 * (the method each run, root or nested, goes through) is wrapped once, and for runs started
 * with a `RunRecorder` in their run options, the recorder hears that run's own events
 * synchronously and gives the run its own `$$.State`. Runs without one are untouched.
 */
const RECORDER = Symbol('lockstep.runRecorder');
const THREAD = Symbol('lockstep.thread');

/** The interpreter's event logger: the methods a run calls for its own events (nested runs' events are forwarded through others). */
interface EventLogger {
  dispatchExecutionStartedEvent(input: unknown): void;
  dispatchExecutionSucceededEvent(output: unknown): void;
  dispatchExecutionFailedEvent(error: Error): void;
  dispatchExecutionAbortedEvent(): void;
  dispatchStateEnteredEvent(name: string, type: string, input: unknown): void;
  dispatchStateExitedEvent(name: string, type: string, input: unknown, output: unknown): void;
  dispatchStateFailedEvent(name: string, type: string, input: unknown, error: Error): void;
  dispatchStateRetriedEvent(name: string, type: string, input: unknown, retrier: unknown, attempt: number): void;
}
type RunOptions = Record<PropertyKey, unknown> & { context?: Record<string, unknown> };
interface ExecuteOptions {
  runOptions?: RunOptions;
  eventLogger: EventLogger;
}
type Execute = (this: StateMachine, input: unknown, options: ExecuteOptions, cleanup: () => void) => Promise<unknown>;

const prototype = StateMachine.prototype as unknown as { execute: Execute };
const execute = prototype.execute;
if (typeof execute !== 'function')
  throw new Error(
    'aws-local-stepfunctions no longer has StateMachine.prototype.execute, which local mode observes runs through',
  );
prototype.execute = function (input, options, cleanup) {
  const recorder = options.runOptions?.[RECORDER];
  if (recorder instanceof RunRecorder) recorder.attach(options);
  return execute.call(this, input, options, cleanup);
};

/** `$$.State` of one branch or iteration (its states run one at a time). */
interface StateContext {
  Name?: string;
  EnteredTime?: string;
  RetryCount?: number;
}

/** One run of a state. */
interface StateRun {
  name: string;
  /** Its type in the history: a Wait the interpreter runs as a Task is a Wait. */
  type: string;
  thread: Thread;
  retries: number;
  /** Set once an attempt failed; a retry clears it. */
  failed: boolean;
  /** Containers: the id of their Started event, the latest event of a branch or iteration that ended (their end follows it), and how many they started. */
  startedId?: number;
  innerLast?: number;
  children?: number;
  /** The Task attempt running now (its resource), until it succeeds or fails. */
  attempt?: { resource: string };
}

/** The root run, one Parallel branch or one Map iteration: a line of events linked by `previousEventId`. */
interface Thread {
  last: number;
  state: StateContext;
  current?: StateRun;
  /** The Map or Parallel that started it, and its place there. */
  container?: StateRun;
  index: number;
  done: boolean;
}

export interface RecordedEvent {
  type: string;
  previousEventId: number;
  timestamp: Date;
  details: Record<string, unknown>;
}

export interface RunRecorderOptions {
  /** Appends an event to the history and returns its id; `undefined` once the execution ended (nothing is recorded after). */
  record: (event: RecordedEvent) => number | undefined;
  /** The clock of the history's timestamps (`$$.State.EnteredTime` is its StateEntered event's). */
  now: () => Date;
  /** The names of the Wait states the interpreter runs as Tasks. */
  waits: ReadonlySet<string>;
  region: string;
  /** The details of ExecutionStarted. */
  executionStarted: { input: string; roleArn: string };
  /** The intrinsic function expressions each state evaluates, by state name: the cause of a failure names them. */
  intrinsics: ReadonlyMap<string, readonly string[]>;
  /** Whether the definition reads `$$` or `$$.State` whole: a state's output is then searched for the live `$$.State`. */
  readsContextWhole: boolean;
}

/**
 * Builds an execution's history as Step Functions writes it, from one run of the interpreter:
 * Task attempts (Scheduled, Started, Succeeded, Failed, TimedOut; the LambdaFunction events
 * for a Lambda ARN resource), Map and Parallel states (Started, each iteration's Started,
 * Succeeded, Failed or Aborted, the state's Succeeded or Failed), every event linked by
 * `previousEventId` to the one before it in its own branch or iteration. It also turns an
 * error the interpreter raised from JavaScript (an intrinsic function failing: `JSON.parse`
 * in `States.StringToJson`, `atob` in `States.Base64Decode`) into `States.Runtime`, which no
 * Retry or Catch takes, as Step Functions does.
 */
export class RunRecorder {
  private readonly handlerErrors = new WeakSet<object>();
  /** The thread whose state is being evaluated now: set when a state is entered or retried, read by `attempt` in the same synchronous call. */
  private active?: Thread;
  private root?: Thread;

  constructor(private readonly options: RunRecorderOptions) {}

  /** The run options that make the interpreter report to this recorder, with the static part of the context object. */
  runOptions<T extends object>(options: T, context: Record<string, unknown>): T {
    return { ...options, context, [RECORDER]: this };
  }

  /** The id of the latest event of the root run (the one the execution's end follows). */
  last(): number {
    return this.root?.last ?? 0;
  }

  /**
   * Runs one attempt of a Task's handler, recording it as Step Functions does; a Wait's handler
   * (no `resource`) records nothing. The interpreter calls a handler in the same synchronous
   * call in which it entered or retried the state, so the active thread is the handler's own.
   */
  attempt(resource: string | undefined, input: unknown, handler: () => unknown): Promise<unknown> {
    const thread = this.active;
    const state = thread?.current;
    const succeeded =
      resource !== undefined && thread && state && !thread.done
        ? this.scheduled(thread, state, resource, input)
        : undefined;
    return new Promise((resolve) => resolve(handler())).then(
      (output) => {
        succeeded?.(output);
        return output;
      },
      (error: unknown) => {
        if (error !== null && typeof error === 'object') this.handlerErrors.add(error);
        throw error;
      },
    );
  }

  /** Records a Task attempt's start; returns what records its success (its failure is recorded when the state fails). */
  private scheduled(thread: Thread, state: StateRun, resource: string, input: unknown): (output: unknown) => void {
    const lambda = resource.startsWith('arn:aws:lambda:');
    const [resourceType, resourceName] = serviceResource(resource);
    if (lambda) {
      this.push(thread, 'LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: { resource, input: json(input) },
      });
      this.push(thread, 'LambdaFunctionStarted', {});
    } else {
      this.push(thread, 'TaskScheduled', {
        taskScheduledEventDetails: {
          resourceType,
          resource: resourceName,
          region: this.options.region,
          parameters: json(input),
        },
      });
      this.push(thread, 'TaskStarted', { taskStartedEventDetails: { resourceType, resource: resourceName } });
    }
    const attempt = { resource };
    state.attempt = attempt;
    return (output) => {
      // An attempt the interpreter already timed out, or a run that ended, records nothing more.
      if (state.attempt !== attempt || thread.done) return;
      state.attempt = undefined;
      if (lambda)
        this.push(thread, 'LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: json(output) } });
      else
        this.push(thread, 'TaskSucceeded', {
          taskSucceededEventDetails: { resourceType, resource: resourceName, output: json(output) },
        });
    };
  }

  /** Called for every run of the interpreter that carries this recorder, before it starts. */
  attach(options: ExecuteOptions): void {
    const runOptions = options.runOptions!;
    const parent = runOptions[THREAD] as Thread | undefined;
    const container = parent?.current;
    const thread: Thread = {
      last: 0,
      state: {},
      index: container ? container.children!++ : 0,
      done: false,
      ...(container && { container }),
    };
    runOptions[THREAD] = thread;
    runOptions.context = { ...runOptions.context, State: thread.state };
    this.listen(options.eventLogger, thread);
  }

  private listen(logger: EventLogger, thread: Thread): void {
    const tap = <K extends keyof EventLogger>(method: K, before: (...args: Parameters<EventLogger[K]>) => void) => {
      const original = logger[method].bind(logger) as (...args: Parameters<EventLogger[K]>) => void;
      (logger[method] as unknown) = (...args: Parameters<EventLogger[K]>) => {
        before(...args);
        original(...args);
      };
    };
    tap('dispatchExecutionStartedEvent', () => this.started(thread));
    tap('dispatchStateEnteredEvent', (name, type, input) => this.entered(thread, name, type, input));
    tap('dispatchStateRetriedEvent', () => this.retried(thread));
    tap('dispatchStateFailedEvent', (name, _type, _input, error) => this.failed(thread, name, error));
    tap('dispatchStateExitedEvent', (_name, _type, _input, output) => this.exited(thread, output));
    tap('dispatchExecutionSucceededEvent', () => this.ended(thread, 'Succeeded'));
    tap('dispatchExecutionFailedEvent', () => this.ended(thread, 'Failed'));
    tap('dispatchExecutionAbortedEvent', () => this.ended(thread, 'Aborted'));
  }

  private started(thread: Thread): void {
    const { container } = thread;
    if (!container) {
      this.root = thread;
      this.push(thread, 'ExecutionStarted', { executionStartedEventDetails: this.options.executionStarted });
      return;
    }
    thread.last = container.startedId!;
    // A Parallel branch has no event of its own: its first state follows ParallelStateStarted.
    if (container.type === 'Map')
      this.push(thread, 'MapIterationStarted', {
        mapIterationStartedEventDetails: { name: container.name, index: thread.index },
      });
  }

  private entered(thread: Thread, name: string, interpreterType: string, input: unknown): void {
    const type = this.options.waits.has(name) ? 'Wait' : interpreterType;
    const run: StateRun = { name, type, thread, retries: 0, failed: false };
    thread.current = run;
    this.active = thread;
    const at = this.options.now();
    const id = this.push(
      thread,
      `${type}StateEntered`,
      { stateEnteredEventDetails: { name, input: json(input) } },
      thread.last,
      at,
    );
    Object.assign(thread.state, { Name: name, EnteredTime: at.toISOString(), RetryCount: 0 });
    if (id !== undefined && (type === 'Map' || type === 'Parallel')) this.containerStarted(run);
  }

  private containerStarted(run: StateRun): void {
    run.children = 0;
    run.startedId = this.push(run.thread, `${run.type}StateStarted`, {});
    run.innerLast = run.startedId;
  }

  private retried(thread: Thread): void {
    const run = thread.current;
    if (!run) return;
    run.retries++;
    run.failed = false;
    thread.state.RetryCount = run.retries;
    this.active = thread;
    if (run.type === 'Map' || run.type === 'Parallel') this.containerStarted(run);
  }

  private failed(thread: Thread, name: string, error: Error): void {
    if (error instanceof Error && !this.handlerErrors.has(error) && !isInterpreterError(error))
      asStatesRuntime(error, name, this.options.intrinsics.get(name) ?? []);
    const run = thread.current;
    if (!run) return;
    run.failed = true;
    const details = { error: error.name, cause: String((error as { cause?: unknown }).cause ?? error.message) };
    if (run.attempt) {
      const lambda = run.attempt.resource.startsWith('arn:aws:lambda:');
      const outcome = error.name === 'States.Timeout' ? 'TimedOut' : 'Failed';
      const [resourceType, resource] = serviceResource(run.attempt.resource);
      run.attempt = undefined;
      if (lambda) this.push(thread, `LambdaFunction${outcome}`, { [`lambdaFunction${outcome}EventDetails`]: details });
      else
        this.push(thread, `Task${outcome}`, { [`task${outcome}EventDetails`]: { resourceType, resource, ...details } });
    }
    if (run.type === 'Map' || run.type === 'Parallel') this.push(thread, `${run.type}StateFailed`, {}, run.innerLast);
  }

  private exited(thread: Thread, output: unknown): void {
    const run = thread.current;
    if (!run) return;
    if (this.options.readsContextWhole) detachContext(output, thread.state);
    if ((run.type === 'Map' || run.type === 'Parallel') && !run.failed) {
      this.push(thread, `${run.type}StateSucceeded`, {}, run.innerLast);
    }
    this.push(thread, `${run.type}StateExited`, { stateExitedEventDetails: { name: run.name, output: json(output) } });
    thread.current = undefined;
  }

  /** A branch or iteration ended: the Map records it; the container's end follows the latest that ended. */
  private ended(thread: Thread, outcome: 'Succeeded' | 'Failed' | 'Aborted'): void {
    if (thread.done) return;
    const { container } = thread;
    if (container && container.thread.current === container) {
      if (container.type === 'Map')
        this.push(thread, `MapIteration${outcome}`, {
          [`mapIteration${outcome}EventDetails`]: { name: container.name, index: thread.index },
        });
      if (outcome !== 'Aborted') container.innerLast = thread.last;
    }
    thread.done = true;
  }

  private push(
    thread: Thread,
    type: string,
    details: Record<string, unknown>,
    previousEventId = thread.last,
    timestamp = this.options.now(),
  ): number | undefined {
    if (thread.done) return undefined;
    const id = this.options.record({ type, previousEventId, timestamp, details });
    if (id !== undefined) thread.last = id;
    return id;
  }
}

/** The resource type and name of a service integration, as Task events state them: `arn:aws:states:::lambda:invoke` is `lambda`, `invoke`. */
function serviceResource(resource: string): [string, string] {
  const rest = resource.replace(/^arn:[^:]+:states:::/, '');
  const colon = rest.indexOf(':');
  return colon < 0 ? [rest, rest] : [rest.slice(0, colon), rest.slice(colon + 1)];
}

/** The interpreter's own errors (`States.Runtime`, `States.Timeout`, Fail states' errors…) carry whether a Retry or Catch may take them. */
function isInterpreterError(error: Error): boolean {
  return typeof (error as { isRetryable?: unknown }).isRetryable === 'boolean';
}

/**
 * What Step Functions reports for a state whose evaluation failed: `States.Runtime`, which no
 * Retry or Catch takes. Changes `error` in place: the interpreter goes on with that object.
 */
function asStatesRuntime(error: Error, state: string, intrinsics: readonly string[]): void {
  const evaluating = intrinsics.length > 0 ? ` evaluating ${intrinsics.map((f) => `'${f}'`).join(' or ')}` : '';
  const cause = `An error occurred while executing the state '${state}'${evaluating}: ${error.name}: ${error.message}`;
  Object.defineProperties(error, {
    name: { value: 'States.Runtime', configurable: true, writable: true },
    message: { value: cause, configurable: true, writable: true },
    cause: { value: undefined, configurable: true, writable: true },
    isRetryable: { value: false, configurable: true },
    isCatchable: { value: false, configurable: true },
  });
}

/**
 * Replaces, inside a state's output, `$$.State` read whole (the branch's live object, which
 * the next state changes) and `$$` read whole (the context holding it) by copies of what they
 * held: the value the state read, as on AWS.
 */
function detachContext(output: unknown, live: StateContext, seen = new Set<object>()): void {
  if (output === null || typeof output !== 'object' || seen.has(output)) return;
  seen.add(output);
  const node = output as Record<string, unknown>;
  for (const [key, value] of Object.entries(node)) {
    if (
      value !== null &&
      typeof value === 'object' &&
      (value === live || (value as { State?: unknown }).State === live)
    )
      node[key] = structuredClone(value);
    else detachContext(value, live, seen);
  }
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
