/** One event of a Step Functions execution history, as the driver reads it (only what steps are made of). */
export interface HistoryEntry {
  readonly id?: number;
  /** The event this one follows; in AWS's history, within its own branch or iteration. */
  readonly previousEventId?: number;
  /** The history event type: `TaskStateEntered`, `TaskFailed`, `ExecutionFailed`… */
  readonly type: string;
  readonly at: string;
  /** The state's name, on StateEntered and StateExited events. */
  readonly name?: string;
  readonly error?: string;
  readonly cause?: string;
}

export const StepStatus = { Running: 'Running', Succeeded: 'Succeeded', Failed: 'Failed', Caught: 'Caught' } as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

/** The Step object of API.md, with `parent` for a state inside a Parallel branch or a Map iteration. */
export interface Step {
  name: string;
  type: string;
  status: StepStatus;
  enteredAt: string;
  exitedAt?: string;
  error?: string;
  cause?: string;
  /** The Parallel or Map state this one ran in (each of its runs is a step of its own). */
  parent?: string;
}

const ENTERED = /^(Task|Pass|Wait|Choice|Parallel|Map|Succeed|Fail)StateEntered$/;
const EXITED = /^(Task|Pass|Wait|Choice|Parallel|Map|Succeed|Fail)StateExited$/;
/** An attempt that failed; a retry schedules the state again, a Catch exits it, else the execution ends. */
const ATTEMPT_FAILED =
  /^(TaskFailed|TaskTimedOut|LambdaFunctionFailed|LambdaFunctionTimedOut|LambdaFunctionStartFailed|LambdaFunctionScheduleFailed|TaskStartFailed|TaskSubmitFailed)$/;
const CONTAINER_FAILED = /^(ParallelStateFailed|MapStateFailed|ParallelStateAborted|MapStateAborted)$/;
const CONTAINER_SUCCEEDED = /^(ParallelStateSucceeded|MapStateSucceeded)$/;
const CONTAINER_STARTED = /^(ParallelStateStarted|MapStateStarted)$/;
/** The start and end of one Map iteration; AWS names the Map in them. */
const ITERATION = /^MapIteration(Started|Succeeded|Failed|Aborted)$/;
const SCHEDULED = /^(TaskScheduled|LambdaFunctionScheduled)$/;
const EXECUTION_ENDED = /^Execution(Failed|TimedOut|Aborted|Succeeded)$/;
const isContainer = (step: Step) => step.type === 'Parallel' || step.type === 'Map';

/**
 * The steps of an execution from its history, in the order they were entered, one per time
 * a state ran. A state that exited after an error is `Caught` (a Catch took it); one still
 * open when the execution failed is `Failed` with the error (its own, or the execution's for
 * a Fail state or the container of a failed branch); a state a failed branch cut short is
 * `Failed` too; one still open while the execution runs is `Running`. Concurrent branches
 * and iterations interleave in a history: where the history links each event to the one it
 * follows in its own branch (AWS's `previousEventId`), events are tied to their state
 * through those links; otherwise (a history in one line) to the latest open state that can
 * have them. A container's own events (started, each iteration's start and end, succeeded,
 * failed) are tied to it and mark its line, so that the failure of a Map inside another Map's
 * iteration is the inner Map's, and the outer Map's failure that follows it is the outer's.
 * Pure: the history comes from the driver.
 */
export function stepsFromHistory(history: readonly HistoryEntry[]): Step[] {
  const steps: Step[] = [];
  const open: Step[] = [];
  const byId = new Map<number, HistoryEntry>();
  /** The step each StateEntered and StateExited event is of. */
  const marks = new Map<number, { step: Step; kind: 'entered' | 'exited' }>();
  const parents = new Map<Step, Step | undefined>();
  /** Containers whose branches or iterations have all ended (Succeeded or Failed), until a Retry starts them again. */
  const finished = new Set<Step>();
  const running = (step: Step) => isContainer(step) && !finished.has(step);
  /** Containers given `States.BranchFailed` for want of an error inside them: the execution's error, if it failed in them, is the truer one. */
  const unexplained = new Set<Step>();
  const linked = history.some(
    (e) =>
      e.id !== undefined &&
      e.previousEventId !== undefined &&
      e.previousEventId !== 0 &&
      e.previousEventId !== e.id - 1,
  );
  let ended: HistoryEntry | undefined;

  const ancestors = function* (step: Step): Generator<Step> {
    for (let p = parents.get(step); p; p = parents.get(p)) yield p;
  };
  /** Through the links: the nearest state event this event's branch goes back to. */
  const markBefore = (event: HistoryEntry) => {
    for (let at = byId.get(event.previousEventId ?? -1); at; at = byId.get(at.previousEventId ?? -1)) {
      const mark = at.id === undefined ? undefined : marks.get(at.id);
      if (mark) return mark;
    }
    return undefined;
  };
  const parentOf = (event: HistoryEntry): Step | undefined => {
    if (!linked) return [...open].reverse().find(isContainer);
    const mark = markBefore(event);
    // Right after a container started: inside it. Right after a state exited: beside it.
    return mark && (mark.kind === 'entered' && isContainer(mark.step) ? mark.step : parents.get(mark.step));
  };
  const ownerOf = (event: HistoryEntry, fits: (step: Step) => boolean): Step | undefined => {
    const mark = linked ? markBefore(event) : undefined;
    if (mark)
      for (const step of [mark.step, ...ancestors(mark.step)]) if (fits(step) && open.includes(step)) return step;
    return [...open].reverse().find(fits);
  };
  const close = (step: Step, status: StepStatus, at: string) => {
    open.splice(open.indexOf(step), 1);
    step.status = status;
    step.exitedAt = at;
  };

  for (const event of history) {
    if (event.id !== undefined) byId.set(event.id, event);
    const entered = ENTERED.exec(event.type);
    if (entered && event.name !== undefined) {
      const parent = parentOf(event);
      const step: Step = {
        name: event.name,
        type: entered[1]!,
        status: StepStatus.Running,
        enteredAt: event.at,
        ...(parent && { parent: parent.name }),
      };
      steps.push(step);
      open.push(step);
      parents.set(step, parent);
      if (event.id !== undefined) marks.set(event.id, { step, kind: 'entered' });
      continue;
    }
    if (EXITED.test(event.type) && event.name !== undefined) {
      const step = ownerOf(event, (s) => s.name === event.name);
      if (!step) continue;
      if (event.id !== undefined) marks.set(event.id, { step, kind: 'exited' });
      // A branch or iteration still open when its container moves on was cut short.
      for (const inner of open.filter((s) => [...ancestors(s)].includes(step)))
        close(inner, StepStatus.Failed, event.at);
      close(step, step.error === undefined ? StepStatus.Succeeded : StepStatus.Caught, event.at);
      continue;
    }
    if (CONTAINER_STARTED.test(event.type) || ITERATION.test(event.type)) {
      const container = ownerOf(event, (s) => isContainer(s) && (event.name === undefined || s.name === event.name));
      if (!container) continue;
      if (event.id !== undefined) marks.set(event.id, { step: container, kind: 'entered' });
      if (CONTAINER_STARTED.test(event.type)) {
        // Started again by a Retry: the earlier attempt's error is not its outcome.
        finished.delete(container);
        unexplained.delete(container);
        delete container.error;
        delete container.cause;
      }
    } else if (CONTAINER_SUCCEEDED.test(event.type)) {
      const container = ownerOf(event, running);
      if (container) finished.add(container);
      if (container && event.id !== undefined) marks.set(event.id, { step: container, kind: 'exited' });
    } else if (ATTEMPT_FAILED.test(event.type)) {
      const task = ownerOf(event, (s) => s.type === 'Task');
      if (task) {
        task.error = event.error ?? event.type;
        if (event.cause) task.cause = event.cause;
      }
    } else if (CONTAINER_FAILED.test(event.type)) {
      const container = ownerOf(event, running);
      if (container) finished.add(container);
      if (container && event.id !== undefined) marks.set(event.id, { step: container, kind: 'exited' });
      // Its error is the one of the state inside it that failed last.
      const failed =
        container && [...steps].reverse().find((s) => s.error !== undefined && [...ancestors(s)].includes(container));
      if (container) {
        container.error = event.error ?? failed?.error ?? 'States.BranchFailed';
        if (event.error === undefined && failed === undefined) unexplained.add(container);
        const cause = event.cause ?? failed?.cause;
        if (cause) container.cause = cause;
      }
    } else if (SCHEDULED.test(event.type)) {
      // A retry: the earlier attempt's error is not this state's outcome.
      const task = ownerOf(event, (s) => s.type === 'Task');
      if (task) {
        delete task.error;
        delete task.cause;
      }
    } else if (EXECUTION_ENDED.test(event.type)) {
      ended = event;
    }
  }
  if (ended && ended.type !== 'ExecutionSucceeded') {
    for (const step of [...open]) {
      if ((step.error === undefined || unexplained.has(step)) && ended.error !== undefined) {
        step.error = ended.error;
        if (ended.cause) step.cause = ended.cause;
      }
      close(step, StepStatus.Failed, ended.at);
    }
  }
  return steps;
}
