/** One event of a Step Functions execution history, as the driver reads it (only what steps are made of). */
export interface HistoryEntry {
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
const ATTEMPT_FAILED = /^(TaskFailed|TaskTimedOut|LambdaFunctionFailed|LambdaFunctionTimedOut|LambdaFunctionStartFailed|LambdaFunctionScheduleFailed|TaskStartFailed|TaskSubmitFailed)$/;
const SCHEDULED = /^(TaskScheduled|LambdaFunctionScheduled)$/;
const EXECUTION_ENDED = /^Execution(Failed|TimedOut|Aborted|Succeeded)$/;

/**
 * The steps of an execution from its history, in the order they were entered, one per time
 * a state ran. A state that exited after an error is `Caught` (a Catch took it); one still
 * open when the execution failed is `Failed` with the error (its own, or the execution's for
 * a Fail state or the container of a failed branch); one still open while the execution
 * runs is `Running`. Pure: the history comes from the driver.
 */
export function stepsFromHistory(history: readonly HistoryEntry[]): Step[] {
  const steps: Step[] = [];
  const open: Step[] = [];
  let ended: HistoryEntry | undefined;
  for (const event of history) {
    const entered = ENTERED.exec(event.type);
    if (entered && event.name !== undefined) {
      const parent = [...open].reverse().find((s) => s.type === 'Parallel' || s.type === 'Map');
      const step: Step = { name: event.name, type: entered[1]!, status: StepStatus.Running, enteredAt: event.at, ...(parent && { parent: parent.name }) };
      steps.push(step);
      open.push(step);
      continue;
    }
    if (EXITED.test(event.type) && event.name !== undefined) {
      const index = open.map((s) => s.name).lastIndexOf(event.name);
      if (index === -1) continue;
      const [step] = open.splice(index, 1);
      step!.exitedAt = event.at;
      step!.status = step!.error === undefined ? StepStatus.Succeeded : StepStatus.Caught;
      continue;
    }
    const innermost = open.at(-1);
    if (ATTEMPT_FAILED.test(event.type) && innermost) {
      innermost.error = event.error ?? event.type;
      if (event.cause) innermost.cause = event.cause;
    } else if (SCHEDULED.test(event.type) && innermost) {
      // A retry: the earlier attempt's error is not this state's outcome.
      delete innermost.error;
      delete innermost.cause;
    } else if (EXECUTION_ENDED.test(event.type)) {
      ended = event;
    }
  }
  if (ended && ended.type !== 'ExecutionSucceeded') {
    for (const step of open) {
      step.status = StepStatus.Failed;
      step.exitedAt = ended.at;
      if (step.error === undefined && ended.error !== undefined) {
        step.error = ended.error;
        if (ended.cause) step.cause = ended.cause;
      }
    }
  }
  return steps;
}
