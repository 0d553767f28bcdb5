import { randomUUID } from 'node:crypto';
import { StateMachine, ExecutionAbortedError, ExecutionTimeoutError } from 'aws-local-stepfunctions';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
import type { StatusChangeEvent } from '../../adapters/stepfunctions/status-event.js';
import type { Clock } from '../../ports.js';
import { AwsServiceError } from '../aws-json-endpoint.js';

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
  machine: StateMachine;
  /** The in-process handler of each Task state, by state name: what the interpreter calls instead of the resource. */
  taskHandlers: Record<string, TaskHandler>;
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
  abort: () => void;
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
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Step Functions on one machine: state machines are run by `aws-local-stepfunctions`,
 * Task states call handlers in this process, and every status change is announced with
 * the event AWS emits. Only what the engine and its operators use is implemented.
 */
export class LocalStepFunctions {
  private readonly stateMachines = new Map<string, LocalStateMachine>();
  private readonly executions = new Map<string, LocalExecution>();
  private readonly region: string;
  private readonly accountId: string;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
  }

  createStateMachine(input: { name: string; definition: string; roleArn?: string }): { stateMachineArn: string; creationDate: Date } {
    if (!NAME_PATTERN.test(input.name)) throw new AwsServiceError('InvalidName', `Invalid State Machine Name: '${input.name}'`);
    const stateMachineArn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${input.name}`;
    const existing = this.stateMachines.get(stateMachineArn);
    if (existing) {
      if (existing.definition === input.definition) return { stateMachineArn, creationDate: existing.creationDate };
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${stateMachineArn}'`);
    }
    let parsed: { States?: Record<string, { Type?: string; Resource?: string }> };
    let machine: StateMachine;
    try {
      parsed = JSON.parse(input.definition);
      machine = new StateMachine(parsed as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { checkArn: false } });
    } catch (error) {
      throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: ${(error as Error).message}`);
    }
    const taskHandlers = Object.fromEntries(
      Object.entries(parsed.States ?? {})
        .filter(([, state]) => state.Type === 'Task' && state.Resource)
        .map(([name, state]) => [name, this.handlerOf(state.Resource as string)]),
    );
    const creationDate = this.options.clock.now();
    const roleArn = input.roleArn ?? `arn:aws:iam::${this.accountId}:role/lockstep-local`;
    this.stateMachines.set(stateMachineArn, { stateMachineArn, name: input.name, definition: input.definition, roleArn, creationDate, machine, taskHandlers });
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
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === text) return { executionArn, startDate: existing.startDate };
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }

    const run = sm.machine.run(parsedInput as Parameters<StateMachine['run']>[0], {
      overrides: { taskResourceLocalHandlers: sm.taskHandlers as never },
    });
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: sm.stateMachineArn,
      name,
      input: text,
      status: 'RUNNING',
      startDate: this.options.clock.now(),
      history: [],
      abort: run.abort,
      settled: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    const historyRecorded = this.recordHistory(execution, run.eventLogs, sm.roleArn);
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
    const e = this.execution(executionArn);
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
    const e = this.execution(input.executionArn);
    const events = input.reverseOrder ? [...e.history].reverse() : e.history;
    const { items, nextToken } = page(events, input.maxResults, input.nextToken);
    return { events: items, ...(nextToken && { nextToken }) };
  }

  /** Makes an execution vanish, as retention expiry or a deleted state machine does on AWS. */
  forgetExecution(executionArn: string): void {
    const e = this.execution(executionArn);
    if (e.status === 'RUNNING') e.abort();
    this.executions.delete(executionArn);
  }

  /** Resolves when every execution started so far has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.settled));
  }

  /** Aborts everything still running (shutdown). No status events are sent for it. */
  shutdown(): void {
    for (const e of this.executions.values()) if (e.status === 'RUNNING') e.abort();
  }

  private handlerOf(resource: string): TaskHandler {
    return (
      this.options.taskHandlers?.[resource] ??
      (() => {
        throw Object.assign(new Error(`no local handler for resource ${resource}`), { name: 'ResourceNotFoundException' });
      })
    );
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
    const type = { SUCCEEDED: 'ExecutionSucceeded', FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted' }[status];
    const detailsKey = { SUCCEEDED: 'executionSucceededEventDetails', FAILED: 'executionFailedEventDetails', TIMED_OUT: 'executionTimedOutEventDetails', ABORTED: 'executionAbortedEventDetails' }[status];
    this.push(e, type, { [detailsKey]: status === 'SUCCEEDED' ? { output: result.output } : { error: result.error, cause: result.cause } });
    this.announce(e);
  }

  private async recordHistory(e: LocalExecution, logs: AsyncIterable<EventLog>, roleArn: string): Promise<void> {
    for await (const log of logs) {
      if (e.status !== 'RUNNING') continue; // stopped: AWS records nothing after the abort
      if (log.type === 'ExecutionStarted') this.push(e, 'ExecutionStarted', { executionStartedEventDetails: { input: e.input, roleArn } });
      else if (log.type === 'StateEntered') this.push(e, `${log.state.type}StateEntered`, { stateEnteredEventDetails: { name: log.state.name, input: JSON.stringify(log.state.input) } });
      else if (log.type === 'StateExited') this.push(e, `${log.state.type}StateExited`, { stateExitedEventDetails: { name: log.state.name, output: JSON.stringify(log.state.output ?? null) } });
      else if (log.type === 'StateFailed' && log.state.type === 'Task') this.push(e, 'TaskFailed', { taskFailedEventDetails: { error: log.Error, cause: String(log.Cause ?? '') } });
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
}

function page<T>(items: T[], maxResults = 100, nextToken?: string): { items: T[]; nextToken?: string } {
  const start = nextToken ? Number.parseInt(Buffer.from(nextToken, 'base64url').toString(), 10) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsServiceError('InvalidToken', 'Invalid Token');
  const size = Math.min(Math.max(maxResults || 100, 1), 1000);
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length && { nextToken: Buffer.from(String(end)).toString('base64url') }) };
}
