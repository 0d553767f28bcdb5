import * as z from './zod.js';

export const Phase = {
  AwaitingApproval: 'AwaitingApproval',
  Pending: 'Pending',
  Running: 'Running',
  Completed: 'Completed',
  Failed: 'Failed',
  Skipped: 'Skipped',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];
export const PhaseSchema = z.enum(Phase);

export const TERMINAL_PHASES: ReadonlySet<Phase> = new Set([Phase.Completed, Phase.Failed, Phase.Skipped]);

/**
 * `null` is "no record yet": an execution is born AwaitingApproval (its workflow needs approval),
 * Pending (admitted) or Skipped (refused).
 */
const TRANSITIONS: ReadonlyMap<Phase | null, readonly Phase[]> = new Map<Phase | null, readonly Phase[]>([
  [null, [Phase.AwaitingApproval, Phase.Pending, Phase.Skipped]],
  // Approved → Pending (then started as any admission); rejected, expired or cancelled → Failed.
  [Phase.AwaitingApproval, [Phase.Pending, Phase.Failed]],
  // Pending → Failed is a pre-execution failure (the start failed) or a cancel before the start.
  [Phase.Pending, [Phase.Running, Phase.Failed]],
  [Phase.Running, [Phase.Completed, Phase.Failed]],
  [Phase.Completed, []],
  [Phase.Failed, []],
  [Phase.Skipped, []],
]);

export function canTransition(from: Phase | null, to: Phase): boolean {
  return TRANSITIONS.get(from)?.includes(to) ?? false;
}

export function isTerminal(phase: Phase): boolean {
  return TERMINAL_PHASES.has(phase);
}

const PROGRESS: Readonly<Record<Phase, number>> = {
  AwaitingApproval: 0,
  Pending: 1,
  Running: 2,
  Completed: 3,
  Failed: 3,
  Skipped: 3,
};

/** How far along its lifecycle a phase is (AwaitingApproval 0, Pending 1, Running 2, terminal 3): of two reads of one execution, the later is never behind. */
export function progressOf(phase: Phase): number {
  return PROGRESS[phase];
}
