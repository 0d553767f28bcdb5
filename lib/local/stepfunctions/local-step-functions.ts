import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ExecutionAbortedError, StateMachine } from 'aws-local-stepfunctions';
import type { StatusChangeEvent } from '../../contract/events.js';
import { LOCAL_RESTART } from '../../domain/local-restart.js';
import type { Clock } from '../../ports/index.js';
import { MAX_INTERPRETER_TIMER_SECONDS } from '../../workflows/interpreter-checks.js';
import { AwsServiceError } from '../aws-json-endpoint.js';
import { type LongTimer, setLongTimeout } from '../timers.js';
import { ExecutionJournal, JOURNAL_FILE, type JournaledRun } from './execution-journal.js';
import {
  ExecutionWindow,
  historySummary,
  lastStateOf,
  TERMINAL_EVENTS,
  type Tombstone,
  type WindowedRun,
} from './execution-window.js';
import {
  CONTEXT_EXECUTION,
  type Definition,
  type InterpreterDefinition,
  toInterpreterDefinition,
} from './interpreter-definition.js';
import { RunRecorder } from './run-recorder.js';
import type { FinishedStatus, HistoryEvent } from './run-status.js';
import { guardedTask, type InterpreterHandler, type TimedHandlerContext, waitHandler } from './timed-handlers.js';

export type TaskHandler = (input: unknown) => Promise<unknown> | unknown;
type Status = 'RUNNING' | FinishedStatus;

interface LocalStateMachine {
  stateMachineArn: string;
  name: string;
  definition: string;
  roleArn: string;
  creationDate: Date;
  /** The interpreter, on the transformed definition. */
  machine: StateMachine;
  plan: InterpreterDefinition;
}

interface LocalExecution extends WindowedRun {
  output?: string;
  /** Writes the run's history; the execution's end follows its latest event. A run read back from the journal has none: nothing of it runs here. */
  recorder?: RunRecorder;
  /** Stops the interpreter's run and everything `release` ends. */
  abort: () => void;
  /** Ends the run's sleeps (waits, Task guards) and its TimeoutSeconds timer. */
  release: () => void;
  settled: Promise<void>;
}

export interface LocalStepFunctionsOptions {
  clock: Clock;
  region?: string;
  accountId?: string;
  /** In-process handlers for Task states, by the state's `Resource`. */
  taskHandlers?: Record<string, TaskHandler>;
  /** Receives the `Step Functions Execution Status Change` event of every status change, as EventBridge would. */
  onStatusChange?: (event: StatusChangeEvent) => unknown;
  /** Reports a status listener that threw; the execution itself is unaffected. */
  onListenerError?: (error: unknown) => void;
  /** Finished runs kept whole (history, output), besides every running one. Default: 1,000. */
  maxFinishedExecutions?: number;
  /** Tombstones kept of finished runs older than that window (their names stay taken). Default: 100,000. */
  maxTombstones?: number;
  /**
   * The longest delay, in seconds, handed to one timer of the interpreter: Wait states and
   * Task timeouts beyond it are carried by this class (see `toInterpreterDefinition`).
   * Default and maximum: 2,147,483 (2^31-1 ms, Node's limit); lower only to test that.
   */
  timerLimitSeconds?: number;
  /** The wall clock of Timestamp waits and deadlines: waits run in real time, whatever `clock` says. Default: the system clock. */
  timerClock?: Clock;
  /**
   * Local mode's data folder: every execution name started is journaled there, so that after a
   * restart no name is run again (see the class comment). Default: none, everything in memory.
   */
  dataDir?: string;
}

/** Definition texts that passed the interpreter's validation; only ones that passed are kept. */
const VALIDATED_DEFINITIONS = new Set<string>();
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Step Functions on one machine: state machines are run by `aws-local-stepfunctions`,
 * Task states call handlers in this process, and every status change is announced with
 * the event AWS emits. Only what the engine and its operators use is implemented.
 *
 * Memory is bounded, not the 90 days AWS keeps a run:
 * - every running execution is kept, whatever its age;
 * - the last `maxFinishedExecutions` finished runs (default 1,000, about 10 KB each) are kept
 *   whole: DescribeExecution, GetExecutionHistory and ListExecutions answer as on AWS;
 * - the `maxTombstones` runs finished before those (default 100,000, about 0.45 KB plus the
 *   input each, some 75 MB when all are held with the engine's inputs: name, state machine,
 *   status, dates, input, error and cause) are kept as tombstones:
 *   StartExecution still refuses their name with ExecutionAlreadyExists (a retried start
 *   never runs twice), DescribeExecution answers without output, GetExecutionHistory answers
 *   a summary (the start, the state a failed run was in, the end), ListExecutions omits them;
 * - older runs are forgotten, as AWS forgets them after its retention: ExecutionDoesNotExist.
 * (`ExecutionWindow` keeps these bounds.)
 *
 * With a data folder, a journal (`ExecutionJournal`) keeps the same window across restarts:
 * each name is written and fsynced before its run starts, and its end when it ends. A new
 * instance on the folder reads it back: a run that ended answers with its status and dates
 * (no output; its history is the summary of a tombstone with a `LockstepHistoryLost` event
 * in place of what was not kept); a run that was still running is ended FAILED with
 * `Lockstep.LocalRestart`, since its steps may have had their effects and nothing is left to
 * finish it. Either way StartExecution refuses the name: a run is never started twice.
 *
 * Timers never end early: the interpreter runs a transformed definition (see
 * `toInterpreterDefinition`) in which no delay exceeds what Node's setTimeout holds; Wait
 * states and long Task timeouts are timed here on the long timer, and so is the execution's
 * TimeoutSeconds (TIMED_OUT with States.Timeout). A wait is carried past one interpreter
 * timer (24.8 days) across retries; what cannot be carried fails with
 * Lockstep.LocalTimerLimit rather than end early.
 */
export class LocalStepFunctions {
  private readonly stateMachines = new Map<string, LocalStateMachine>();
  private readonly executions: ExecutionWindow<LocalExecution>;
  private readonly region: string;
  private readonly accountId: string;
  private readonly timerLimitSeconds: number;
  private readonly timerClock: Clock;
  private readonly journal: ExecutionJournal | undefined;
  /**
   * Since when this endpoint knows every run it started: with a journal, names are known across
   * restarts (undefined); without one, runs from before this instance are forgotten.
   */
  readonly runsKnownSince: Date | undefined;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.executions = new ExecutionWindow(options.maxFinishedExecutions, options.maxTombstones);
    this.timerLimitSeconds = options.timerLimitSeconds ?? MAX_INTERPRETER_TIMER_SECONDS;
    if (
      !Number.isInteger(this.timerLimitSeconds) ||
      this.timerLimitSeconds < 1 ||
      this.timerLimitSeconds > MAX_INTERPRETER_TIMER_SECONDS
    ) {
      throw new RangeError(`timerLimitSeconds must be a whole number from 1 to ${MAX_INTERPRETER_TIMER_SECONDS}`);
    }
    this.timerClock = options.timerClock ?? { now: () => new Date() };
    if (options.dataDir !== undefined) {
      this.journal = new ExecutionJournal(join(options.dataDir, JOURNAL_FILE));
      for (const run of this.journal.read()) this.restore(run);
      this.journal.rewrite(this.journaled());
    }
    this.runsKnownSince = this.journal ? undefined : options.clock.now();
  }

  createStateMachine(input: { name: string; definition: string; roleArn?: string }): {
    stateMachineArn: string;
    creationDate: Date;
  } {
    if (!NAME_PATTERN.test(input.name))
      throw new AwsServiceError('InvalidName', `Invalid State Machine Name: '${input.name}'`);
    const stateMachineArn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${input.name}`;
    const existing = this.stateMachines.get(stateMachineArn);
    if (existing) {
      if (existing.definition === input.definition) return { stateMachineArn, creationDate: existing.creationDate };
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${stateMachineArn}'`);
    }
    let parsed: Definition;
    try {
      parsed = JSON.parse(input.definition);
      // Validates the definition as deployed (the interpreter runs the transformed one); about
      // 130 ms each, so a text already validated in this process, as every test engine's
      // built-ins are, is not validated again.
      if (!VALIDATED_DEFINITIONS.has(input.definition)) {
        new StateMachine(parsed as unknown as ConstructorParameters<typeof StateMachine>[0], {
          validationOptions: { checkArn: false },
        });
        VALIDATED_DEFINITIONS.add(input.definition);
      }
    } catch (error) {
      throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: ${(error as Error).message}`);
    }
    const plan = toInterpreterDefinition(parsed, { timerLimitSeconds: this.timerLimitSeconds });
    const machine = new StateMachine(plan.definition as unknown as ConstructorParameters<typeof StateMachine>[0], {
      validationOptions: { noValidate: true },
    });
    const creationDate = this.options.clock.now();
    const roleArn = input.roleArn ?? `arn:aws:iam::${this.accountId}:role/lockstep-local`;
    this.stateMachines.set(stateMachineArn, {
      stateMachineArn,
      name: input.name,
      definition: input.definition,
      roleArn,
      creationDate,
      machine,
      plan,
    });
    return { stateMachineArn, creationDate };
  }

  describeStateMachine(stateMachineArn: string) {
    const sm = this.stateMachine(stateMachineArn);
    return {
      stateMachineArn,
      name: sm.name,
      status: 'ACTIVE',
      definition: sm.definition,
      roleArn: sm.roleArn,
      type: 'STANDARD',
      creationDate: sm.creationDate,
    };
  }

  listStateMachines() {
    return {
      stateMachines: [...this.stateMachines.values()].map(({ stateMachineArn, name, creationDate }) => ({
        stateMachineArn,
        name,
        type: 'STANDARD',
        creationDate,
      })),
    };
  }

  /** Idempotent as on AWS for Standard workflows: the same name and input while running returns the same execution. */
  startExecution(input: { stateMachineArn: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: Date;
  } {
    const sm = this.stateMachine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!NAME_PATTERN.test(name)) throw new AwsServiceError('InvalidName', `Invalid Execution Name: '${name}'`);
    const text = input.input ?? '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(text);
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = `${sm.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing?.status === 'RUNNING' && existing.input === text)
      return { executionArn, startDate: existing.startDate };
    if (this.executions.taken(executionArn))
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);

    const startDate = this.options.clock.now();
    this.journal?.started({ executionArn, stateMachineArn: sm.stateMachineArn, input: text, startDate });
    const sleeps = new AbortController();
    let timeout: LongTimer | undefined;
    const release = () => {
      sleeps.abort();
      timeout?.cancel();
    };
    const execution: LocalExecution & { recorder: RunRecorder } = {
      executionArn,
      stateMachineArn: sm.stateMachineArn,
      name,
      input: text,
      status: 'RUNNING',
      startDate,
      history: [],
      recorder: new RunRecorder({
        record: (event) =>
          execution.status === 'RUNNING'
            ? this.push(execution, event.type, event.details, event.previousEventId, event.timestamp)
            : undefined,
        now: () => this.options.clock.now(),
        waits: sm.plan.waits,
        region: this.region,
        executionStarted: { input: text, roleArn: sm.roleArn },
        intrinsics: sm.plan.intrinsics,
        readsContextWhole: sm.plan.readsContextWhole,
      }),
      abort: () => undefined,
      release,
      settled: Promise.resolve(),
    };
    this.executions.start(execution);
    // The context object as Step Functions gives it; `$$.State` is each branch's own (see RunRecorder).
    const context = {
      // Its own copy of the input: nothing a state does to its input reaches `$$.Execution.Input`.
      [CONTEXT_EXECUTION]: {
        Id: executionArn,
        Input: JSON.parse(text) as unknown,
        Name: name,
        RoleArn: sm.roleArn,
        StartTime: startDate.toISOString(),
      },
      StateMachine: { Id: sm.stateMachineArn, Name: sm.name },
    };
    const run = sm.machine.run(
      parsedInput as Parameters<StateMachine['run']>[0],
      execution.recorder.runOptions(
        {
          overrides: {
            taskResourceLocalHandlers: this.handlersFor(sm.plan, sleeps.signal, execution.recorder) as never,
          },
        },
        context,
      ),
    );
    execution.abort = () => {
      run.abort();
      release();
    };
    // The history is recorded as the run goes (RunRecorder); the interpreter's own log is only drained.
    void drain(run.eventLogs);
    // The execution's TimeoutSeconds, on the long timer (the interpreter's would overflow).
    if (sm.plan.timeoutSeconds !== undefined)
      timeout = setLongTimeout(() => this.timeOut(execution), sm.plan.timeoutSeconds * 1000);
    execution.settled = run.result.then(
      (output) => this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) }),
      (error: unknown) => this.finishWithError(execution, error),
    );
    this.announce(execution);
    return { executionArn, startDate: execution.startDate };
  }

  describeExecution(executionArn: string) {
    const e = this.executions.get(executionArn) ?? this.tombstone(executionArn);
    return {
      executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      input: e.input,
      ...(e.stopDate && { stopDate: e.stopDate }),
      ...(e.output !== undefined && { output: e.output }),
      ...(e.error !== undefined && { error: e.error }),
      ...(e.cause !== undefined && { cause: e.cause }),
    };
  }

  stopExecution(input: { executionArn: string; error?: string; cause?: string }): { stopDate: Date } {
    const gone = this.executions.get(input.executionArn) ? undefined : this.tombstone(input.executionArn);
    if (gone) return { stopDate: gone.stopDate };
    const e = this.execution(input.executionArn);
    if (e.status === 'RUNNING') {
      this.finish(e, 'ABORTED', {
        ...(input.error !== undefined && { error: input.error }),
        ...(input.cause !== undefined && { cause: input.cause }),
      });
      e.abort();
    }
    return { stopDate: e.stopDate! };
  }

  listExecutions(input: { stateMachineArn: string; statusFilter?: Status; maxResults?: number; nextToken?: string }) {
    this.stateMachine(input.stateMachineArn);
    const all = [...this.executions.whole()]
      .filter(
        (e) => e.stateMachineArn === input.stateMachineArn && (!input.statusFilter || e.status === input.statusFilter),
      )
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return {
      executions: items.map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate,
        ...(e.stopDate && { stopDate: e.stopDate }),
      })),
      ...(nextToken && { nextToken }),
    };
  }

  getExecutionHistory(input: {
    executionArn: string;
    reverseOrder?: boolean;
    maxResults?: number;
    nextToken?: string;
  }) {
    const history = this.executions.get(input.executionArn)?.history ?? this.summaryOf(input.executionArn);
    const events = input.reverseOrder ? [...history].reverse() : history;
    const { items, nextToken } = page(events, input.maxResults, input.nextToken);
    return { events: items, ...(nextToken && { nextToken }) };
  }

  /** Makes an execution vanish, tombstone included, as retention expiry or a deleted state machine does on AWS. */
  forgetExecution(executionArn: string): void {
    if (!this.executions.taken(executionArn)) this.execution(executionArn); // ExecutionDoesNotExist
    this.journal?.forgot(executionArn);
    const e = this.executions.forget(executionArn);
    if (e?.status === 'RUNNING') e.abort();
  }

  /** How many runs are held in memory: running, finished and whole, and tombstones. */
  retained(): { running: number; finished: number; tombstones: number } {
    return this.executions.counts();
  }

  /** Resolves when every execution started so far has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.executions.whole()].map((e) => e.settled));
  }

  /** Aborts everything still running (shutdown). No status events are sent for it; the journal tells it, at the next start, as cut short. */
  shutdown(): void {
    this.journal?.close();
    for (const e of this.executions.whole()) if (e.status === 'RUNNING') e.abort();
  }

  /**
   * What the interpreter calls instead of each Task's resource, for one run: keyed by state
   * name, which the interpreter hands down to Parallel branches and Map iterations (state
   * names are unique in the whole machine). Waits and guarded Tasks sleep until `signal`.
   */
  private handlersFor(
    plan: InterpreterDefinition,
    signal: AbortSignal,
    recorder: RunRecorder,
  ): Record<string, InterpreterHandler> {
    const context: TimedHandlerContext = {
      signal,
      now: () => this.timerClock.now().getTime(),
      limitSeconds: this.timerLimitSeconds,
    };
    const handlers: Record<string, InterpreterHandler> = Object.create(null);
    for (const name of plan.waits) {
      const wait = waitHandler(context);
      handlers[name] = (input) => recorder.attempt(undefined, input, () => wait(input));
    }
    for (const [name, task] of plan.tasks) {
      const handler = this.handlerOf(task.resource);
      const run: InterpreterHandler = task.guard
        ? guardedTask(handler, task.guard, context)
        : async (input) => handler(input);
      handlers[name] = (input) => recorder.attempt(task.resource, input, () => run(input));
    }
    return handlers;
  }

  private handlerOf(resource: string): TaskHandler {
    const handlers = this.options.taskHandlers;
    if (handlers && Object.hasOwn(handlers, resource)) return handlers[resource]!;
    return () => {
      throw Object.assign(new Error(`no local handler for resource ${resource}`), {
        name: 'ResourceNotFoundException',
      });
    };
  }

  private timeOut(e: LocalExecution): void {
    if (e.status !== 'RUNNING') return;
    this.finish(e, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds).' });
    e.abort();
  }

  private finishWithError(e: LocalExecution, error: unknown): void {
    if (error instanceof ExecutionAbortedError) return; // stopExecution already recorded it
    // The interpreter wraps the state's error: its name is the ASL Error, its message the Cause.
    const inner = (error as { cause?: unknown }).cause;
    const source = inner instanceof Error ? inner : (error as Error);
    this.finish(e, 'FAILED', { error: source.name, cause: source.message });
  }

  private finish(
    e: LocalExecution,
    status: Exclude<Status, 'RUNNING'>,
    result: { output?: string; error?: string; cause?: string },
  ): void {
    if (e.status !== 'RUNNING' || this.executions.get(e.executionArn) !== e) return;
    Object.assign(e, { status, stopDate: this.options.clock.now(), ...result });
    // Durable before anyone hears of the end: a restart tells the same end.
    this.journal?.ended(e.executionArn, { status, stopDate: e.stopDate!, ...result, lastState: lastStateOf(e) });
    e.release();
    const [type, detailsKey] = TERMINAL_EVENTS[status];
    this.push(e, type, {
      [detailsKey]: status === 'SUCCEEDED' ? { output: result.output } : { error: result.error, cause: result.cause },
    });
    this.announce(e);
    this.executions.finish(e);
    const { running, finished, tombstones } = this.executions.counts();
    if (this.journal?.wantsCompaction(running + finished + tombstones)) this.journal.rewrite(this.journaled());
  }

  /** A run read back from the journal, finished and held like any other; one still running then ends as cut short by the restart. */
  private restore(run: JournaledRun): void {
    const end = run.end ?? {
      status: 'FAILED' as const,
      stopDate: this.options.clock.now(),
      error: LOCAL_RESTART.error,
      cause: LOCAL_RESTART.cause,
    };
    const name = run.executionArn.slice(run.executionArn.lastIndexOf(':') + 1);
    const ended = {
      name,
      stateMachineArn: run.stateMachineArn,
      input: run.input,
      startDate: run.startDate,
      ...end,
      restored: true,
    };
    const e: LocalExecution = {
      ...ended,
      executionArn: run.executionArn,
      history: historySummary(ended, undefined),
      abort: () => {},
      release: () => {},
      settled: Promise.resolve(),
    };
    this.executions.start(e);
    this.executions.finish(e);
  }

  /** What the journal must hold: every run the window still knows, oldest first. */
  private *journaled(): Generator<JournaledRun> {
    for (const { executionArn, run, tombstone } of this.executions.inOrder()) {
      const known = run ?? tombstone;
      const entry = {
        executionArn,
        stateMachineArn: known.stateMachineArn,
        input: known.input,
        startDate: known.startDate,
      };
      if (known.status === 'RUNNING') {
        yield entry;
        continue;
      }
      const lastState = run ? lastStateOf(run) : tombstone.lastState;
      yield {
        ...entry,
        end: {
          status: known.status,
          stopDate: known.stopDate!,
          ...(known.error !== undefined && { error: known.error }),
          ...(known.cause !== undefined && { cause: known.cause }),
          ...(lastState && { lastState }),
        },
      };
    }
  }

  /** Appends an event to `e`'s history; by default it follows the latest event of the run's root (its end follows its last state). */
  private push(
    e: LocalExecution,
    type: string,
    details: Record<string, unknown>,
    previousEventId = e.recorder?.last() ?? e.history.length,
    timestamp = this.options.clock.now(),
  ): number {
    const id = e.history.length + 1;
    e.history.push({ id, previousEventId, timestamp, type, ...details });
    return id;
  }

  /** Delivered after the current call returns, as EventBridge delivers asynchronously. */
  private announce(e: LocalExecution): void {
    const listener = this.options.onStatusChange;
    if (!listener) return;
    const event: StatusChangeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: this.accountId,
      time: this.options.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources: [e.executionArn],
      detail: {
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate.getTime(),
        stopDate: e.stopDate?.getTime() ?? null,
        input: e.input,
        output: e.output ?? null,
        error: e.error ?? null,
        cause: e.cause ?? null,
      },
    };
    setImmediate(() => {
      Promise.resolve()
        .then(() => listener(event))
        .catch((error: unknown) => this.options.onListenerError?.(error));
    });
  }

  private stateMachine(arn: string): LocalStateMachine {
    const sm = this.stateMachines.get(arn);
    if (!sm) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return sm;
  }

  private execution(arn: string): LocalExecution {
    const e = this.executions.get(arn);
    if (!e) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  /** The history a tombstone still tells (see `historySummary`). */
  private summaryOf(executionArn: string): HistoryEvent[] {
    const t = this.tombstone(executionArn);
    return historySummary(t, this.stateMachines.get(t.stateMachineArn)?.roleArn);
  }

  /** The tombstone of an evicted run; ExecutionDoesNotExist when there is none either. */
  private tombstone(arn: string): Tombstone & { executionArn: string; output?: undefined } {
    const t = this.executions.tombstone(arn);
    if (!t) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return { ...t, executionArn: arn };
  }
}

async function drain(events: AsyncIterable<unknown>): Promise<void> {
  const iterator = events[Symbol.asyncIterator]();
  while (!(await iterator.next()).done);
}

function page<T>(items: T[], maxResults = 100, nextToken?: string): { items: T[]; nextToken?: string } {
  const start = nextToken ? Number.parseInt(Buffer.from(nextToken, 'base64url').toString(), 10) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsServiceError('InvalidToken', 'Invalid Token');
  const size = Math.min(Math.max(maxResults || 100, 1), 1000);
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length && { nextToken: Buffer.from(String(end)).toString('base64url') }),
  };
}
