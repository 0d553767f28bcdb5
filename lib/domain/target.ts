import { AuditEventSchema } from './audit.js';
import { ExecutionSchema, type SkipDetails } from './execution.js';
import { MAX_CLEARANCE_HISTORY_BYTES, utf8Bytes } from './item-size.js';
import { addSeconds, backoffSeconds, exhaustsRetries, type Policy, secondsUntil } from './policies.js';
import { BlockReason, BlockReasonSchema, SkipReason } from './reasons.js';
import * as z from './zod.js';

const Timestamp = z.iso.datetime();

export const BlockClearanceSchema = z.object({
  clearedAt: Timestamp,
  clearedBy: z.string().check(z.minLength(1)),
  onBehalfOf: z.optional(z.string().check(z.minLength(1))),
  reason: z.string().check(z.minLength(1)),
  blockReason: BlockReasonSchema,
  blockedByExecutionId: z.optional(z.string()),
});
export type BlockClearance = z.infer<typeof BlockClearanceSchema>;

/**
 * The clearances a target keeps, oldest first: the newest ones, at most `maxKept` and at most
 * MAX_CLEARANCE_HISTORY_BYTES together, and always the newest one. A count alone would let
 * clearances with long reasons (4,096 characters, up to 16 KiB each) grow the target item past
 * what DynamoDB holds beside a holder with large parameters.
 */
export function keptClearances(clearances: readonly BlockClearance[], maxKept: number): BlockClearance[] {
  const kept: BlockClearance[] = [];
  let bytes = 0;
  for (const clearance of [...clearances].reverse()) {
    bytes += clearanceBytes(clearance);
    if (kept.length > 0 && (kept.length >= maxKept || bytes > MAX_CLEARANCE_HISTORY_BYTES)) break;
    kept.unshift(clearance);
  }
  return kept;
}

function clearanceBytes(clearance: BlockClearance): number {
  return Object.values(clearance).reduce(
    (sum: number, value) => sum + (typeof value === 'string' ? utf8Bytes(value) : 0),
    0,
  );
}

/**
 * The admitted execution that holds the target. Until the workflow starts this is the
 * only record of it (phase Pending), written with its audit event in the admission itself.
 */
export const HolderSchema = z.object({
  execution: ExecutionSchema,
  events: z.array(AuditEventSchema),
});
export type Holder = z.infer<typeof HolderSchema>;

/** Everything the engine knows about one target: the lock and the windows that keep it closed. */
export const TargetStateSchema = z.object({
  targetResource: z.string().check(z.minLength(1)),
  fencingToken: z.number().check(z.int(), z.gte(0)),
  holder: z.optional(HolderSchema),
  lastExecutionId: z.optional(z.string()),
  lastOutcome: z.optional(z.enum(['Completed', 'Failed'])),
  cooldownUntil: z.optional(Timestamp),
  consecutiveFailures: z.number().check(z.int(), z.gte(0)),
  nextAllowedAt: z.optional(Timestamp),
  blockReason: z.optional(BlockReasonSchema),
  blockedByExecutionId: z.optional(z.string()),
  blockClearances: z.array(BlockClearanceSchema),
});
export type TargetState = z.infer<typeof TargetStateSchema>;

export function idleTarget(targetResource: string): TargetState {
  return { targetResource, fencingToken: 0, consecutiveFailures: 0, blockClearances: [] };
}

export const TargetStatus = {
  Idle: 'Idle',
  AwaitingApproval: 'AwaitingApproval',
  Running: 'Running',
  CoolingDown: 'CoolingDown',
  BackingOff: 'BackingOff',
  Blocked: 'Blocked',
} as const;
export type TargetStatus = (typeof TargetStatus)[keyof typeof TargetStatus];

/** The target object of API.md. */
export interface TargetView {
  targetResource: string;
  state: TargetStatus;
  currentExecutionId?: string;
  lastExecutionId?: string;
  lastOutcome?: 'Completed' | 'Failed';
  cooldownUntil?: string;
  cooldownRemainingSeconds?: number;
  consecutiveFailures: number;
  nextAllowedAt?: string;
  blockReason?: BlockReason;
  blockClearances: { clearedAt: string; clearedBy: string; onBehalfOf?: string; reason: string }[];
}

function isOpen(until: string | undefined, now: Date): until is string {
  return until !== undefined && Date.parse(until) > now.getTime();
}

export function targetView(target: TargetState, now: Date): TargetView {
  const coolingDown = isOpen(target.cooldownUntil, now);
  const backingOff = isOpen(target.nextAllowedAt, now);
  const state: TargetStatus = target.blockReason
    ? TargetStatus.Blocked
    : target.holder
      ? target.holder.execution.phase === 'AwaitingApproval'
        ? TargetStatus.AwaitingApproval
        : TargetStatus.Running
      : coolingDown
        ? TargetStatus.CoolingDown
        : backingOff
          ? TargetStatus.BackingOff
          : TargetStatus.Idle;
  return {
    targetResource: target.targetResource,
    state,
    ...(target.holder && { currentExecutionId: target.holder.execution.id }),
    ...(target.lastExecutionId && { lastExecutionId: target.lastExecutionId }),
    ...(target.lastOutcome && { lastOutcome: target.lastOutcome }),
    ...(target.cooldownUntil && { cooldownUntil: target.cooldownUntil }),
    ...(coolingDown && { cooldownRemainingSeconds: secondsUntil(new Date(target.cooldownUntil as string), now) }),
    consecutiveFailures: target.consecutiveFailures,
    ...(backingOff && { nextAllowedAt: target.nextAllowedAt }),
    ...(target.blockReason && { blockReason: target.blockReason }),
    blockClearances: target.blockClearances.map(({ clearedAt, clearedBy, onBehalfOf, reason }) => ({
      clearedAt,
      clearedBy,
      ...(onBehalfOf && { onBehalfOf }),
      reason,
    })),
  };
}

/**
 * Why the target refuses an admission at `now`, or `null` when it admits. Precedence:
 * blocked > busy > recently remediated (cooldown or backoff, whichever ends later).
 * This is the same predicate the store's conditional write enforces.
 */
export function refusal(target: TargetState, now: Date): SkipDetails | null {
  if (target.blockReason) {
    const cause =
      target.blockReason === BlockReason.PreviousExecutionFailed
        ? `the last execution on this target (${target.blockedByExecutionId ?? 'unknown'}) ran and failed`
        : `${target.consecutiveFailures} consecutive executions failed before they ran`;
    return {
      reason:
        target.blockReason === BlockReason.PreviousExecutionFailed
          ? SkipReason.PreviousExecutionFailed
          : SkipReason.ExhaustedRetries,
      message: `Target ${target.targetResource} is blocked: ${cause}; a person must clear it (POST /targets/{targetResource}/clearance)`,
      ...(target.blockedByExecutionId && { recentExecutionId: target.blockedByExecutionId }),
    };
  }
  if (target.holder) {
    const holderId = target.holder.execution.id;
    return {
      reason: SkipReason.ResourceBusy,
      message: `Target ${target.targetResource} is busy: execution ${holderId} holds it`,
      conflictingExecutionId: holderId,
    };
  }
  const windows = [target.cooldownUntil, target.nextAllowedAt].filter((until) => isOpen(until, now));
  if (windows.length > 0) {
    const end = windows.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
    const retryAfterSeconds = secondsUntil(new Date(end), now);
    const which = end === target.cooldownUntil ? 'cooling down' : 'backing off after failures';
    return {
      reason: SkipReason.RecentlyRemediated,
      message: `Target ${target.targetResource} is ${which} after execution ${target.lastExecutionId ?? 'unknown'}; retry after ${retryAfterSeconds} s`,
      ...(target.lastExecutionId && { recentExecutionId: target.lastExecutionId }),
      retryAfterSeconds,
      nextAllowedAt: end,
    };
  }
  return null;
}

/** How an execution ended, as far as the target's windows are concerned. */
export type Outcome =
  | { phase: 'Completed' }
  | {
      phase: 'Failed';
      wasExecutionFailure: boolean;
      /** Stopped by a person (cancel, or a stop outside the engine): neither counted nor blocking. */
      interrupted: boolean;
      /** Whether the workflow had started: decides the cooldown of an interrupted execution. */
      ran: boolean;
      /** Ended while awaiting approval (rejected, expired, cancelled): as if never requested. */
      withdrawn?: boolean;
    };

/** The target fields a settled execution leaves behind; absent optional fields are removed. */
export interface Settlement {
  /** Absent only where the target had none and a withdrawn request leaves it so. */
  lastExecutionId?: string;
  lastOutcome?: 'Completed' | 'Failed';
  consecutiveFailures: number;
  cooldownUntil?: string;
  nextAllowedAt?: string;
  blockReason?: BlockReason;
  blockedByExecutionId?: string;
}

/**
 * What the target looks like after its holder ends at `completedAt`:
 * - success: cooldown from the completion time, failure count reset;
 * - execution failure (the workflow ran): cooldown, and blocked until a person clears it;
 * - pre-execution failure: no cooldown (nothing ran), the n-th consecutive one opens a
 *   backoff window `min(base·2^(n-1), max)`, and the policy's limit blocks the target;
 * - interrupted (cancelled, or stopped outside the engine): not a failure of the target, so
 *   no count and no block; cooldown if it ran;
 * - withdrawn (rejected, expired or cancelled while awaiting approval): nothing ran and nobody
 *   wanted it run, so the target is exactly as it was before the request (its last execution,
 *   windows and count as they were).
 */
export function settle(
  target: TargetState,
  executionId: string,
  outcome: Outcome,
  policy: Policy,
  completedAt: Date,
): Settlement {
  if (outcome.phase === 'Failed' && outcome.withdrawn) {
    const { lastExecutionId, lastOutcome, consecutiveFailures, cooldownUntil, nextAllowedAt } = target;
    return { lastExecutionId, lastOutcome, consecutiveFailures, cooldownUntil, nextAllowedAt };
  }
  const cooldownUntil = addSeconds(completedAt, policy.cooldownSeconds).toISOString();
  if (outcome.phase === 'Completed') {
    return { lastExecutionId: executionId, lastOutcome: 'Completed', consecutiveFailures: 0, cooldownUntil };
  }
  const failed = { lastExecutionId: executionId, lastOutcome: 'Failed' as const };
  if (outcome.interrupted) {
    return { ...failed, consecutiveFailures: target.consecutiveFailures, ...(outcome.ran && { cooldownUntil }) };
  }
  if (outcome.wasExecutionFailure) {
    return {
      ...failed,
      consecutiveFailures: target.consecutiveFailures,
      cooldownUntil,
      blockReason: BlockReason.PreviousExecutionFailed,
      blockedByExecutionId: executionId,
    };
  }
  const consecutiveFailures = target.consecutiveFailures + 1;
  if (exhaustsRetries(consecutiveFailures, policy)) {
    return {
      ...failed,
      consecutiveFailures,
      blockReason: BlockReason.ExhaustedRetries,
      blockedByExecutionId: executionId,
    };
  }
  return {
    ...failed,
    consecutiveFailures,
    nextAllowedAt: addSeconds(completedAt, backoffSeconds(consecutiveFailures, policy)).toISOString(),
  };
}

/**
 * What a target stands in until its next transition, as the listings of targets by state
 * find it: held (AwaitingApproval, or Running from its admission on), Blocked, or in a window (CoolingDown or BackingOff) with the
 * window's end, after which it is Idle with no further write. Undefined for an idle target.
 * The precedence is targetView's; a release leaves at most one window open (see `settle`),
 * except a blocking failure, whose cooldown matters only once the block is cleared.
 */
export type Standing =
  | { state: 'AwaitingApproval' | 'Running' | 'Blocked' }
  | { state: 'CoolingDown' | 'BackingOff'; until: string };

export function standingOf(
  target: Pick<TargetState, 'holder' | 'blockReason' | 'cooldownUntil' | 'nextAllowedAt'>,
): Standing | undefined {
  if (target.blockReason) return { state: TargetStatus.Blocked };
  if (target.holder)
    return {
      state:
        target.holder.execution.phase === 'AwaitingApproval' ? TargetStatus.AwaitingApproval : TargetStatus.Running,
    };
  if (target.cooldownUntil) return { state: TargetStatus.CoolingDown, until: target.cooldownUntil };
  if (target.nextAllowedAt) return { state: TargetStatus.BackingOff, until: target.nextAllowedAt };
  return undefined;
}
