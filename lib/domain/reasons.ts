import * as z from './zod.js';

export const SkipReason = {
  ResourceBusy: 'ResourceBusy',
  RecentlyRemediated: 'RecentlyRemediated',
  ExhaustedRetries: 'ExhaustedRetries',
  PreviousExecutionFailed: 'PreviousExecutionFailed',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
export const SkipReasonSchema = z.enum(SkipReason);

export const FailureReason = {
  OOMKilled: 'OOMKilled',
  DeadlineExceeded: 'DeadlineExceeded',
  Forbidden: 'Forbidden',
  ResourceExhausted: 'ResourceExhausted',
  ConfigurationError: 'ConfigurationError',
  ImagePullBackOff: 'ImagePullBackOff',
  TaskFailed: 'TaskFailed',
  Cancelled: 'Cancelled',
  /** An approver rejected it before it ran. */
  Rejected: 'Rejected',
  /** Nobody decided before the approval's `requiredBy`. */
  ApprovalExpired: 'ApprovalExpired',
  Unknown: 'Unknown',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];
export const FailureReasonSchema = z.enum(FailureReason);

/** Why a target refuses every admission until a person clears it. */
export const BlockReason = {
  PreviousExecutionFailed: 'PreviousExecutionFailed',
  ExhaustedRetries: 'ExhaustedRetries',
} as const;
export type BlockReason = (typeof BlockReason)[keyof typeof BlockReason];
export const BlockReasonSchema = z.enum(BlockReason);
