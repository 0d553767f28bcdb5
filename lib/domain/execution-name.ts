import { createHash } from 'node:crypto';

/** Step Functions' limit on an execution name. */
export const MAX_EXECUTION_NAME_LENGTH = 80;

/** First 16 hex characters of sha256 of the canonical target resource. */
export function targetHash(canonicalTarget: string): string {
  return createHash('sha256').update(canonicalTarget, 'utf8').digest('hex').slice(0, 16);
}

/**
 * The deterministic execution name `wfe-<16 hex>-<fencing token>`. The same target and
 * token always give the same name, so a retried StartExecution can never start a second run.
 */
export function executionName(canonicalTarget: string, fencingToken: number): string {
  if (!Number.isSafeInteger(fencingToken) || fencingToken < 1) {
    throw new RangeError(`fencing token must be a positive integer, got ${fencingToken}`);
  }
  const name = `wfe-${targetHash(canonicalTarget)}-${fencingToken}`;
  // 21 fixed characters leave 59 digits for the token: unreachable with safe integers.
  if (name.length > MAX_EXECUTION_NAME_LENGTH)
    throw new RangeError(`execution name ${name} exceeds ${MAX_EXECUTION_NAME_LENGTH} characters`);
  return name;
}

/**
 * The execution id of an idempotency key (already scoped by caller or event source):
 * derived, not drawn, so that every attempt of one request names the same execution
 * before anything is written, and a retry after any crash finds what the first attempt made.
 * Shaped as a UUID (version 8, "custom") so it looks like every other execution id.
 */
export function executionIdForKey(scopedKey: string): string {
  const hex = createHash('sha256').update(`lockstep idempotency key\0${scopedKey}`, 'utf8').digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
