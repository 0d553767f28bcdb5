import * as z from './zod.js';

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The range of each policy setting, wherever one is read (the environment, a workflow's
 * `policy`): one source, so a value accepted in one place is accepted in all.
 */
export const POLICY_BOUNDS = {
  cooldownSeconds: [0, ONE_YEAR_SECONDS],
  backoffBaseSeconds: [1, ONE_YEAR_SECONDS],
  backoffMaxSeconds: [1, ONE_YEAR_SECONDS],
  maxConsecutiveFailures: [1, 1000],
  executionTimeoutSeconds: [1, ONE_YEAR_SECONDS],
} as const;

/** How long a target is left alone after a run, and how repeated pre-execution failures back off. */
export const PolicySchema = z.object({
  cooldownSeconds: z._default(z.number().check(z.int(), z.gte(0)), 300),
  backoffBaseSeconds: z._default(z.number().check(z.int(), z.gte(1)), 60),
  backoffMaxSeconds: z._default(z.number().check(z.int(), z.gte(1)), 600),
  maxConsecutiveFailures: z._default(z.number().check(z.int(), z.gte(1)), 5),
  /** The deadline of an execution whose request names none; the sweeper stops it after that. */
  executionTimeoutSeconds: z._default(z.number().check(z.int(), z.gte(1)), 3600),
  /** How long an admitted execution may stay Pending before the sweeper finishes its start. */
  startGraceSeconds: z._default(z.number().check(z.int(), z.gte(0)), 30),
});
export type Policy = z.infer<typeof PolicySchema>;

export const DEFAULT_POLICY: Policy = PolicySchema.parse({});

/** Backoff window after the n-th consecutive pre-execution failure: `min(base·2^(n-1), max)`, 0 for n < 1. */
export function backoffSeconds(consecutiveFailures: number, policy: Policy): number {
  if (consecutiveFailures < 1) return 0;
  // 2^(n-1) overflows to Infinity for huge n; min() still caps it.
  return Math.min(policy.backoffBaseSeconds * 2 ** (consecutiveFailures - 1), policy.backoffMaxSeconds);
}

/** Whether the n-th consecutive pre-execution failure exhausts the retries and blocks the target. */
export function exhaustsRetries(consecutiveFailures: number, policy: Policy): boolean {
  return consecutiveFailures >= policy.maxConsecutiveFailures;
}

export function addSeconds(at: Date, seconds: number): Date {
  return new Date(at.getTime() + seconds * 1000);
}

/** Whole seconds from `now` until `until`, rounded up (what `Retry-After` carries); 0 when already past. */
export function secondsUntil(until: Date, now: Date): number {
  return Math.max(0, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
