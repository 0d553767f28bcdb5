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
  if (name.length > MAX_EXECUTION_NAME_LENGTH) throw new RangeError(`execution name ${name} exceeds ${MAX_EXECUTION_NAME_LENGTH} characters`);
  return name;
}
