import type { Clock, DeadlineScheduler } from '../ports/index.js';
import { type LongTimer, setLongTimeout } from './timers.js';

/**
 * Local mode's deadlines: one timer per running execution with a timeout, fired when its
 * `timeoutSeconds` passes (any length: see timers.ts) and removed when the execution ends,
 * so they are bounded by the executions running now. `check` enforces the deadline (and arms
 * it again through `schedule` when the clock says it is not due yet).
 */
export class LocalDeadlineTimers implements DeadlineScheduler {
  private readonly timers = new Map<string, LongTimer>();

  constructor(
    private readonly options: {
      clock: Clock;
      check: (executionId: string) => Promise<unknown>;
      onError: (executionId: string, error: unknown) => void;
    },
  ) {}

  schedule(executionId: string, at: Date): void {
    this.cancel(executionId);
    const delay = at.getTime() - this.options.clock.now().getTime();
    // Not holding the process open: a stop clears them all, and a restart loses no deadline the sweeper would not catch.
    const timer = setLongTimeout(() => void this.fire(executionId), delay, { ref: false });
    this.timers.set(executionId, timer);
  }

  cancel(executionId: string): void {
    this.timers.get(executionId)?.cancel();
    this.timers.delete(executionId);
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  private async fire(executionId: string): Promise<void> {
    this.timers.delete(executionId);
    try {
      await this.options.check(executionId);
    } catch (error) {
      this.options.onError(executionId, error);
    }
  }
}
