import { randomUUID } from 'node:crypto';
import { StateMachine, ExecutionAbortedError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { StatusChangeEvent } from '../../adapters/stepfunctions/status-event.js';
import type { Clock } from '../../ports.js';
import { AwsServiceError } from '../aws-json-endpoint.js';
import { setLongTimeout, type LongTimer } from '../timers.js';
import { MAX_INTERPRETER_TIMER_SECONDS, toInterpreterDefinition, type Definition, type InterpreterDefinition } from './interpreter-definition.js';
import { guardedTask, waitHandler, type InterpreterHandler, type TimedHandlerContext } from './timed-handlers.js';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type TaskHandler = (input: unknown) => Promise<unknown> | unknown;
type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

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

interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: Status;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Stops the interpreter's run and everything `release` ends. */
  abort: () => void;
  /** Ends the run's sleeps (waits, Task guards) and its TimeoutSeconds timer. */
  release: () => void;
  settled: Promise<void>;
}

/**
 * What is left of a finished run once it leaves the window of whole runs: enough for
 * DescribeExecution, for refusing its name, and for a summary of its history.
 */
interface Tombstone {
  name: string;
  stateMachineArn: string;
  status: Exclude<Status, 'RUNNING'>;
  startDate: Date;
  stopDate: Date;
  input: string;
  error?: string;
  cause?: string;
  /** The last state entered by a run that did not succeed: where it failed. */
  lastState?: { name: string; type: string };
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
}

export const DEFAULT_MAX_FINISHED_EXECUTIONS = 1_000;
export const DEFAULT_MAX_TOMBSTONES = 100_000;

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
/** The history event that ends a run of each terminal status, and the key of its details. */
const TERMINAL_EVENTS: Record<Exclude<Status, 'RUNNING'>, [type: string, detailsKey: string]> = {
  SUCCEEDED: ['ExecutionSucceeded', 'executionSucceededEventDetails'],
  FAILED: ['ExecutionFailed', 'executionFailedEventDetails'],
  TIMED_OUT: ['ExecutionTimedOut', 'executionTimedOutEventDetails'],
  ABORTED: ['ExecutionAborted', 'executionAbortedEventDetails'],
};

/**
 * Step Functions on one machine: state machines are run by `aws-local-stepfunctions`,
 * Task states call handlers in this process, and every status change is announced with
 * the event AWS emits. Only what the engine and its operators use is implemented.
 *
 * Memory is bounded, not the 90 days AWS keeps a run:
 * - every running execution is kept, whatever its age;
 * - the last `maxFinishedExecutions` finished runs (default 1,000, about 10 KB each) are kept
 *   whole: DescribeExecution, GetExecutionHistory and ListExecutions answer as on AWS;
 * - the `maxTombstones` runs finished before those (default 100,000, a few hundred bytes
 *   each: name, state machine, status, dates, input, error and cause) are kept as tombstones:
 *   StartExecution still refuses their name with ExecutionAlreadyExists (a retried start
 *   never runs twice), DescribeExecution answers without output, GetExecutionHistory answers
 *   a summary (the start, the state a failed run was in, the end), ListExecutions omits them;
 * - older runs are forgotten, as AWS forgets them after its retention: ExecutionDoesNotExist.
 */
export class LocalStepFunctions {
  private readonly stateMachines = new Map<string, LocalStateMachine>();
  /** Running executions and the window of finished ones. */
  private readonly executions = new Map<string, LocalExecution>();
  /** The finished executions of `executions`, oldest first. */
  private readonly finished = new Set<string>();
  /** Tombstones of evicted runs, oldest first. */
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly region: string;
  private readonly accountId: string;
  private readonly maxFinished: number;
  private readonly maxTombstones: number;
  private readonly timerLimitSeconds: number;
  private readonly timerClock: Clock;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.maxFinished = bound(options.maxFinishedExecutions, DEFAULT_MAX_FINISHED_EXECUTIONS, 'maxFinishedExecutions');
    this.maxTombstones = bound(options.maxTombstones, DEFAULT_MAX_TOMBSTONES, 'maxTombstones');
    this.timerLimitSeconds = bound(options.timerLimitSeconds, MAX_INTERPRETER_TIMER_SECONDS, 'timerLimitSeconds');
    if (this.timerLimitSeconds < 1 || this.timerLimitSeconds > MAX_INTERPRETER_TIMER_SECONDS) throw new RangeError(`timerLimitSeconds must be from 1 to ${MAX_INTERPRETER_TIMER_SECONDS}`);
    this.timerClock = options.timerClock ?? { now: () => new Date() };
  }

  createStateMachine(input: { name: string; definition: string; roleArn?: string }): { stateMachineArn: string; creationDate: Date } {
    if (!NAME_PATTERN.test(input.name)) throw new AwsServiceError('InvalidName', `Invalid State Machine Name: '${input.name}'`);
    const stateMachineArn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${input.name}`;
    const existing = this.stateMachines.get(stateMachineArn);
    if (existing) {
      if (existing.definition === input.definition) return { stateMachineArn, creationDate: existing.creationDate };
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${stateMachineArn}'`);
    }
    let parsed: Definition;
    try {
      parsed = JSON.parse(input.definition);
      // Validates the definition as deployed; the interpreter runs the transformed one.
      new StateMachine(parsed as unknown as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { checkArn: false } });
    } catch (error) {
      throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: ${(error as Error).message}`);
    }
    const plan = toInterpreterDefinition(parsed, { timerLimitSeconds: this.timerLimitSeconds });
    const machine = new StateMachine(plan.definition as unknown as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { noValidate: true } });
    const creationDate = this.options.clock.now();
    const roleArn = input.roleArn ?? `arn:aws:iam::${this.accountId}:role/lockstep-local`;
    this.stateMachines.set(stateMachineArn, { stateMachineArn, name: input.name, definition: input.definition, roleArn, creationDate, machine, plan });
    return { stateMachineArn, creationDate };
  }

  describeStateMachine(stateMachineArn: string) {
    const sm = this.stateMachine(stateMachineArn);
    return { stateMachineArn, name: sm.name, status: 'ACTIVE', definition: sm.definition, roleArn: sm.roleArn, type: 'STANDARD', creationDate: sm.creationDate };
  }

  listStateMachines() {
    return { stateMachines: [...this.stateMachines.values()].map(({ stateMachineArn, name, creationDate }) => ({ stateMachineArn, name, type: 'STANDARD', creationDate })) };
  }

  /** Idempotent as on AWS for Standard workflows: the same name and input while running returns the same execution. */
  startExecution(input: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date } {
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
    if (existing?.status === 'RUNNING' && existing.input === text) return { executionArn, startDate: existing.startDate };
    if (existing || this.tombstones.has(executionArn)) throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);

    const sleeps = new AbortController();
    const run = sm.machine.run(parsedInput as Parameters<StateMachine['run']>[0], {
      overrides: { taskResourceLocalHandlers: this.handlersFor(sm.plan, sleeps.signal) as never },
    });
    let timeout: LongTimer | undefined;
    const release = () => {
      sleeps.abort();
      timeout?.cancel();
    };
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: sm.stateMachineArn,
      name,
      input: text,
      status: 'RUNNING',
      startDate: this.options.clock.now(),
      history: [],
      abort: () => {
        run.abort();
        release();
      },
      release,
      settled: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    // The execution's TimeoutSeconds, on the long timer (the interpreter's would overflow).
    if (sm.plan.timeoutSeconds !== undefined) timeout = setLongTimeout(() => this.timeOut(execution), sm.plan.timeoutSeconds * 1000);
    const historyRecorded = this.recordHistory(execution, run.eventLogs, sm.roleArn, sm.plan.waits);
    // The terminal status waits for the state events, so history always reads in order.
    execution.settled = run.result.then(
      async (output) => {
        await historyRecorded;
        this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      },
      async (error: unknown) => {
        await historyRecorded;
        this.finishWithError(execution, error);
      },
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
    const gone = this.executions.has(input.executionArn) ? undefined : this.tombstone(input.executionArn);
    if (gone) return { stopDate: gone.stopDate };
    const e = this.execution(input.executionArn);
    if (e.status === 'RUNNING') {
      this.finish(e, 'ABORTED', { ...(input.error !== undefined && { error: input.error }), ...(input.cause !== undefined && { cause: input.cause }) });
      e.abort();
    }
    return { stopDate: e.stopDate! };
  }

  listExecutions(input: { stateMachineArn: string; statusFilter?: Status; maxResults?: number; nextToken?: string }) {
    this.stateMachine(input.stateMachineArn);
    const all = [...this.executions.values()]
      .filter((e) => e.stateMachineArn === input.stateMachineArn && (!input.statusFilter || e.status === input.statusFilter))
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return {
      executions: items.map((e) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: e.startDate, ...(e.stopDate && { stopDate: e.stopDate }) })),
      ...(nextToken && { nextToken }),
    };
  }

  getExecutionHistory(input: { executionArn: string; reverseOrder?: boolean; maxResults?: number; nextToken?: string }) {
    const history = this.executions.get(input.executionArn)?.history ?? this.summaryOf(this.tombstone(input.executionArn));
    const events = input.reverseOrder ? [...history].reverse() : history;
    const { items, nextToken } = page(events, input.maxResults, input.nextToken);
    return { events: items, ...(nextToken && { nextToken }) };
  }

  /** Makes an execution vanish, tombstone included, as retention expiry or a deleted state machine does on AWS. */
  forgetExecution(executionArn: string): void {
    if (this.tombstones.delete(executionArn)) return;
    const e = this.execution(executionArn);
    if (e.status === 'RUNNING') e.abort();
    this.executions.delete(executionArn);
    this.finished.delete(executionArn);
  }

  /** How many runs are held in memory: running, finished and whole, and tombstones. */
  retained(): { running: number; finished: number; tombstones: number } {
    return { running: this.executions.size - this.finished.size, finished: this.finished.size, tombstones: this.tombstones.size };
  }

  /** Resolves when every execution started so far has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.settled));
  }

  /** Aborts everything still running (shutdown). No status events are sent for it. */
  shutdown(): void {
    for (const e of this.executions.values()) if (e.status === 'RUNNING') e.abort();
  }

  /**
   * What the interpreter calls instead of each Task's resource, for one run: keyed by state
   * name, which the interpreter hands down to Parallel branches and Map iterations (state
   * names are unique in the whole machine). Waits and guarded Tasks sleep until `signal`.
   */
  private handlersFor(plan: InterpreterDefinition, signal: AbortSignal): Record<string, InterpreterHandler> {
    const context: TimedHandlerContext = { signal, now: () => this.timerClock.now().getTime(), limitSeconds: this.timerLimitSeconds };
    const handlers: Record<string, InterpreterHandler> = Object.create(null);
    for (const name of plan.waits) handlers[name] = waitHandler(context);
    for (const [name, task] of plan.tasks) {
      const handler = this.handlerOf(task.resource);
      handlers[name] = task.guard ? guardedTask(handler, task.guard, context) : async (input) => handler(input);
    }
    return handlers;
  }

  private handlerOf(resource: string): TaskHandler {
    const handlers = this.options.taskHandlers;
    if (handlers && Object.hasOwn(handlers, resource)) return handlers[resource]!;
    return () => {
      throw Object.assign(new Error(`no local handler for resource ${resource}`), { name: 'ResourceNotFoundException' });
    };
  }

  private timeOut(e: LocalExecution): void {
    if (e.status !== 'RUNNING') return;
    this.finish(e, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds).' });
    e.abort();
  }

  private finishWithError(e: LocalExecution, error: unknown): void {
    if (error instanceof ExecutionAbortedError) return; // stopExecution already recorded it
    if (error instanceof ExecutionTimeoutError) return this.finish(e, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds).' });
    // The interpreter wraps the state's error: its name is the ASL Error, its message the Cause.
    const inner = (error as { cause?: unknown }).cause;
    const source = inner instanceof Error ? inner : (error as Error);
    this.finish(e, 'FAILED', { error: source.name, cause: source.message });
  }

  private finish(e: LocalExecution, status: Exclude<Status, 'RUNNING'>, result: { output?: string; error?: string; cause?: string }): void {
    if (e.status !== 'RUNNING' || !this.executions.has(e.executionArn)) return;
    Object.assign(e, { status, stopDate: this.options.clock.now(), ...result });
    e.release();
    const [type, detailsKey] = TERMINAL_EVENTS[status];
    this.push(e, type, { [detailsKey]: status === 'SUCCEEDED' ? { output: result.output } : { error: result.error, cause: result.cause } });
    this.announce(e);
    this.retire(e);
  }

  /** Moves a finished run into the window of whole runs, and the oldest ones out of it and of the tombstones. */
  private retire(e: LocalExecution): void {
    this.finished.add(e.executionArn);
    for (const arn of this.finished) {
      if (this.finished.size <= this.maxFinished) break;
      this.finished.delete(arn);
      const old = this.executions.get(arn)!;
      this.executions.delete(arn);
      if (this.maxTombstones > 0) this.tombstones.set(arn, tombstoneOf(old));
    }
    for (const arn of this.tombstones.keys()) {
      if (this.tombstones.size <= this.maxTombstones) break;
      this.tombstones.delete(arn);
    }
  }

  /** The history a tombstone can still tell: the start, the state a failed run was in, the end. */
  private summaryOf(t: Tombstone): HistoryEvent[] {
    const roleArn = this.stateMachines.get(t.stateMachineArn)?.roleArn;
    const [type, detailsKey] = TERMINAL_EVENTS[t.status];
    const events: Omit<HistoryEvent, 'id' | 'previousEventId'>[] = [
      { timestamp: t.startDate, type: 'ExecutionStarted', executionStartedEventDetails: { input: t.input, roleArn } },
      ...(t.lastState ? [{ timestamp: t.stopDate, type: `${t.lastState.type}StateEntered`, stateEnteredEventDetails: { name: t.lastState.name } }] : []),
      { timestamp: t.stopDate, type, [detailsKey]: t.status === 'SUCCEEDED' ? {} : { error: t.error, cause: t.cause } },
    ];
    return events.map((event, i) => ({ ...event, id: i + 1, previousEventId: i }) as HistoryEvent);
  }

  /** Turns the interpreter's events into AWS history events; the Waits it runs as Tasks read as Waits again. */
  private async recordHistory(e: LocalExecution, logs: AsyncIterable<EventLog>, roleArn: string, waits: ReadonlySet<string>): Promise<void> {
    for await (const log of logs) {
      if (e.status !== 'RUNNING') continue; // stopped: AWS records nothing after the abort
      if (log.type === 'ExecutionStarted') this.push(e, 'ExecutionStarted', { executionStartedEventDetails: { input: e.input, roleArn } });
      if (log.type !== 'StateEntered' && log.type !== 'StateExited' && log.type !== 'StateFailed') continue;
      const type = waits.has(log.state.name) ? 'Wait' : log.state.type;
      if (log.type === 'StateEntered') this.push(e, `${type}StateEntered`, { stateEnteredEventDetails: { name: log.state.name, input: JSON.stringify(log.state.input) } });
      else if (log.type === 'StateExited') this.push(e, `${type}StateExited`, { stateExitedEventDetails: { name: log.state.name, output: JSON.stringify(log.state.output ?? null) } });
      else if (log.type === 'StateFailed' && type === 'Task') this.push(e, 'TaskFailed', { taskFailedEventDetails: { error: log.Error, cause: String(log.Cause ?? '') } });
    }
  }

  private push(e: LocalExecution, type: string, details: Record<string, unknown>): void {
    const id = e.history.length + 1;
    e.history.push({ id, previousEventId: id - 1, timestamp: this.options.clock.now(), type, ...details });
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
      time: this.options.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
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

  /** The tombstone of an evicted run; ExecutionDoesNotExist when there is none either. */
  private tombstone(arn: string): Tombstone & { executionArn: string; output?: undefined } {
    const t = this.tombstones.get(arn);
    if (!t) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return { ...t, executionArn: arn };
  }
}

function tombstoneOf(e: LocalExecution): Tombstone {
  let lastState: Tombstone['lastState'];
  if (e.status !== 'SUCCEEDED') {
    const entered = e.history.findLast((event) => event.type.endsWith('StateEntered'));
    const name = (entered?.stateEnteredEventDetails as { name?: string } | undefined)?.name;
    if (entered && name !== undefined) lastState = { name, type: entered.type.slice(0, -'StateEntered'.length) };
  }
  return {
    name: e.name,
    stateMachineArn: e.stateMachineArn,
    status: e.status as Tombstone['status'],
    startDate: e.startDate,
    stopDate: e.stopDate!,
    input: e.input,
    ...(e.error !== undefined && { error: e.error }),
    ...(e.cause !== undefined && { cause: e.cause }),
    ...(lastState && { lastState }),
  };
}

function bound(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0, not ${value}`);
  return value;
}

function page<T>(items: T[], maxResults = 100, nextToken?: string): { items: T[]; nextToken?: string } {
  const start = nextToken ? Number.parseInt(Buffer.from(nextToken, 'base64url').toString(), 10) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsServiceError('InvalidToken', 'Invalid Token');
  const size = Math.min(Math.max(maxResults || 100, 1), 1000);
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length && { nextToken: Buffer.from(String(end)).toString('base64url') }) };
}
