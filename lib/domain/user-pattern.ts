import { RE2JS, RE2JSSyntaxException } from 're2js';

/**
 * Regular expressions written by users: a parameter's `pattern`, a workflow's `targetPattern`,
 * and every pattern to come. They run on RE2 (re2js, its JavaScript port, the same in the
 * server, the Lambda bundles and the status page), whose matching takes time linear in the
 * value's length whatever the pattern: `^(a|aa)+$` on 16 KiB answers in milliseconds, where a
 * backtracking engine (JavaScript's RegExp) holds the process for minutes.
 *
 * - Syntax: RE2's, as in Go and Prometheus. Classes, quantifiers, groups (named ones too,
 *   `(?<name>…)`), alternation, anchors, `\p{L}` and inline flags (`(?i)`) read as in
 *   JavaScript. Refused when the folder is loaded, with the reason: backreferences (`\1`,
 *   `\k<name>`), lookahead (`(?=`, `(?!`) and lookbehind (`(?<=`, `(?<!`), which no
 *   linear-time engine runs; `\u00E9` (write `\x{00E9}`); a repeat count over 1000.
 * - Matching is what it was with JavaScript's `u` flag: by code point (`.` is one character,
 *   an emoji too), unanchored, as in JSON Schema (a match anywhere in the value; write `^…$`
 *   for the whole value), `^` and `$` at the start and end of the value. One difference:
 *   `\d`, `\w`, `\s` and `\b` are ASCII-only (JavaScript's `\s` also takes Unicode spaces).
 */
export interface UserPattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in `value`. */
  test(value: string): boolean;
}

/** Why `source` is not a pattern Lockstep runs, or undefined when it is one. */
export function userPatternProblem(source: string): string | undefined {
  try {
    compiled(source);
    return undefined;
  } catch (error) {
    if (!(error instanceof RE2JSSyntaxException)) throw error;
    return explain(error);
  }
}

/** The compiled pattern; throws for a source `userPatternProblem` refuses (loaded workflows were checked already). */
export function userPattern(source: string): UserPattern {
  const re2 = compiled(source);
  return { source, test: (value) => re2.test(value) };
}

/** Compiled once per source: admission checks the same few patterns on every request. */
function compiled(source: string): RE2JS {
  let re2 = cache.get(source);
  if (!re2) {
    re2 = RE2JS.compile(source);
    if (cache.size >= 256) cache.delete(cache.keys().next().value!);
    cache.set(source, re2);
  }
  return re2;
}
const cache = new Map<string, RE2JS>();

const LINEAR = 'not supported: patterns run on RE2, which matches in linear time and has no backtracking';

function explain(error: RE2JSSyntaxException): string {
  const at = error.input ?? '';
  if (/^\\[1-9k]/.test(at)) return `a backreference (${at}) is ${LINEAR}`;
  if (at.startsWith('(?=') || at.startsWith('(?!')) return `a lookahead (${at}) is ${LINEAR}`;
  if (at.startsWith('(?<=') || at.startsWith('(?<!')) return `a lookbehind (${at.slice(0, 4)}) is ${LINEAR}`;
  if (at === '\\u') return 'the escape \\u is not RE2 syntax: write a code point as \\x{00E9}';
  return `${error.error}${at ? `: ${at}` : ''} (RE2 syntax)`;
}
