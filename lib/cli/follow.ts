import { setTimeout as sleep } from 'node:timers/promises';
import type { Execution } from '../contract/api-objects.js';
import { TERMINAL_PHASES } from '../domain/phase.js';
import { ApiError, UnreachableError } from './errors.js';
import type { LockstepApi } from './lockstep-api.js';

export interface FollowOptions {
  /** Called with the first state seen and each phase change, with the seconds since following began. */
  onPhase: (execution: Execution, elapsedSeconds: number) => void;
  /** The first poll comes this soon; each quiet poll waits 1.5 times longer, up to `maxIntervalMs`. */
  firstIntervalMs?: number;
  maxIntervalMs?: number;
  /** Consecutive failed polls (no answer, a 5xx, a 429) that are waited out before giving up. */
  toleratedFailures?: number;
}

/**
 * Follows an execution to its end (Completed, Failed or Skipped) by polling `GET /executions/{id}`:
 * soon at first, then backing off to every few seconds, and quickly again after a change. A
 * passing network or server failure is retried; a 4xx ends it.
 */
export async function followExecution(
  api: LockstepApi,
  start: Execution | string,
  options: FollowOptions,
): Promise<Execution> {
  const { onPhase, firstIntervalMs = 250, maxIntervalMs = 5000, toleratedFailures = 5 } = options;
  const began = performance.now();
  const elapsed = () => (performance.now() - began) / 1000;
  let execution = typeof start === 'string' ? await api.getExecution(start) : start;
  onPhase(execution, elapsed());
  let interval = firstIntervalMs;
  let failures = 0;
  while (!TERMINAL_PHASES.has(execution.phase)) {
    await sleep(interval);
    let latest: Execution;
    try {
      latest = await api.getExecution(execution.id);
      failures = 0;
    } catch (error) {
      const passing =
        error instanceof UnreachableError ||
        (error instanceof ApiError && (error.status >= 500 || error.status === 429));
      if (!passing || ++failures > toleratedFailures) throw error;
      interval = Math.min(maxIntervalMs, interval * 2);
      continue;
    }
    if (latest.phase !== execution.phase) {
      onPhase(latest, elapsed());
      interval = firstIntervalMs;
    } else {
      interval = Math.min(maxIntervalMs, Math.round(interval * 1.5));
    }
    execution = latest;
  }
  return execution;
}
