import { InvalidArgumentError } from 'commander';
import { IdempotencyKeySchema, OnBehalfOfSchema } from '../contract/api-schemas.js';
import { formatIssues } from '../domain/issues.js';
import { SENDABLE_HEADER_VALUE } from './api-client.js';

/** `-p KEY=VALUE`, repeatable: the value is everything after the first `=` (it may hold `=` itself). */
export function collectParameter(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected KEY=VALUE, for example -p SECONDS=30');
  return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
}

/** A whole number of at least 1, in decimal digits (as the API reads numbers). */
export function positiveInteger(text: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');
  return Number(text);
}

/**
 * `--idempotency-key`, checked by the API's own rule for `Idempotency-Key` before anything is
 * sent: a key the API would refuse, or one HTTP cannot carry, is a usage error naming the value.
 * A space at either end is refused too: HTTP drops it, so the API would get another key.
 */
export function idempotencyKey(text: string): string {
  const rule =
    "an idempotency key is 1 to 255 printable ASCII characters, not all blank (the API's rule for Idempotency-Key)";
  const checked = IdempotencyKeySchema.safeParse(text);
  if (!checked.success)
    throw new InvalidArgumentError(`${formatIssues(checked.error)[0] ?? 'not a valid key'}: ${rule}`);
  if (!SENDABLE_HEADER_VALUE.test(text))
    throw new InvalidArgumentError(`${rule}, with no space at either end (HTTP drops it)`);
  return text;
}

/** `--on-behalf-of`, checked by the API's own rule before anything is sent: a value it would refuse is a usage error. */
export function onBehalfOf(text: string): string {
  const checked = OnBehalfOfSchema.safeParse(text);
  if (!checked.success)
    throw new InvalidArgumentError(
      `${formatIssues(checked.error)[0] ?? 'not a valid value'}: the person you act for is 1 to 256 printable characters`,
    );
  return text;
}

/** An approval decision's `--comment`: 1 to 1024 characters, not blank (the API's rule). */
export function approvalComment(text: string): string {
  if (text.trim().length === 0) throw new InvalidArgumentError('a comment says why: it must not be empty or blank');
  if ([...text.trim()].length > 1024)
    throw new InvalidArgumentError(`a comment is at most 1024 characters, got ${[...text.trim()].length}`);
  return text;
}
