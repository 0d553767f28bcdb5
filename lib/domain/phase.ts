import * as z from './zod.js';

export const Phase = {
  Pending: 'Pending',
  Running: 'Running',
  Completed: 'Completed',
  Failed: 'Failed',
  Skipped: 'Skipped',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];
export const PhaseSchema = z.enum(Phase);

export const TERMINAL_PHASES: ReadonlySet<Phase> = new Set([Phase.Completed, Phase.Failed, Phase.Skipped]);

/** `null` is "no record yet": an execution is born Pending (admitted) or Skipped (refused). */
const TRANSITIONS: ReadonlyMap<Phase | null, readonly Phase[]> = new Map<Phase | null, readonly Phase[]>([
  [null, [Phase.Pending, Phase.Skipped]],
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

/** How far along its lifecycle a phase is (Pending 0, Running 1, terminal 2): of two reads of one execution, the later is never behind. */
export function progressOf(phase: Phase): number {
  return phase === Phase.Pending ? 0 : phase === Phase.Running ? 1 : 2;
}
