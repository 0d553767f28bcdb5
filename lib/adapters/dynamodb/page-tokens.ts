import { createHash } from 'node:crypto';
import { ValidationError } from '../../domain/errors.js';

const VERSION = 1;
const TOKEN = /^[A-Za-z0-9_-]{1,1024}$/;

/**
 * Page tokens are opaque cursors: a position in the results of one query (say, "this target's
 * Completed executions"), bound to that query by a fingerprint. They carry no table key, index
 * name or hash, so the table's layout can change without breaking callers, and a token is
 * refused (400) when it is truncated, altered, made up, or taken from another query.
 */
export function encodePageToken(query: string, position: readonly string[]): string {
  return Buffer.from(JSON.stringify([VERSION, fingerprint(query), ...position]), 'utf8').toString('base64url');
}

/** The position a token holds, checked field by field with `valid`; a 400 ValidationError for anything else. */
export function decodePageToken(query: string, token: string, valid: (position: string[]) => boolean): string[] {
  const refuse = (why: string) => new ValidationError(`nextToken is not a token this API issued for this query: ${why}`, [`query.nextToken: ${why}`]);
  if (!TOKEN.test(token)) throw refuse('it is malformed');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse('it is malformed');
  }
  if (!Array.isArray(decoded) || decoded[0] !== VERSION || !decoded.every((part) => typeof part === 'string' || part === VERSION)) throw refuse('it is malformed');
  const [, issuedFor, ...position] = decoded as [number, string, ...string[]];
  if (issuedFor !== fingerprint(query)) throw refuse('it belongs to another query');
  if (!valid(position)) throw refuse('it is malformed');
  return position;
}

function fingerprint(query: string): string {
  return createHash('sha256').update(query, 'utf8').digest('base64url').slice(0, 16);
}
