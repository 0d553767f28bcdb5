/*
 * What stored records may hold, so that no request the API accepts makes a DynamoDB item over
 * its 400 KB limit (a 500 on every request for that target). The target item carries its
 * holder (the execution, parameters included) and its clearance history; the execution item
 * carries the parameters once more, beside its audit trail. So the target peaks near 256 KiB
 * + 64 KiB (about 330 KB) and the execution near 280 KB, both under the limit; measured with
 * DynamoDB Local, which enforces it (test/integration/api/item-size.test.ts: the largest
 * parameters a body holds through admission, start, completion, a blocking failure, 60
 * clearances with the longest reasons, and a new admission).
 */

/**
 * The most the parameters of one execution take, defaults applied: the request body's own limit
 * (256 KiB), so nothing stored is larger than a body the API already accepts.
 */
export const MAX_PARAMETERS_BYTES = 256 * 1024;

/** The most a target's clearance history takes; the newest clearance is kept whatever its size. */
export const MAX_CLEARANCE_HISTORY_BYTES = 64 * 1024;

/** UTF-8 length, as Buffer.byteLength and TextEncoder count it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Names and values in UTF-8: what DynamoDB counts for a map of strings, near enough (it adds a byte or so per entry). */
export function parametersBytes(parameters: Readonly<Record<string, string>>): number {
  return Object.entries(parameters).reduce((sum, [name, value]) => sum + utf8Bytes(name) + utf8Bytes(value), 0);
}

/** Why `parameters` (defaults applied) are too large to store, or undefined. */
export function parametersSizeProblem(parameters: Readonly<Record<string, string>>): string | undefined {
  const bytes = parametersBytes(parameters);
  if (bytes <= MAX_PARAMETERS_BYTES) return undefined;
  return `the parameters come to ${grouped(bytes)} bytes with defaults applied; at most ${grouped(MAX_PARAMETERS_BYTES)} (the request body's limit), so that an execution fits in its record`;
}

export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
