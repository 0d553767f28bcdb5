import type * as Re2js from 're2js';

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
 * - The engine is loaded on the first pattern compiled, through the loader the edge registers
 *   with `usePatternEngine`, and kept. re2js is 148 KiB minified, a quarter of a Lambda bundle,
 *   and most workflows declare no pattern: a function that never compiles one (status,
 *   sweeper, an API call on a workflow without patterns) never loads or parses it. The Lambda
 *   functions, local mode, the command and the CDK app load it from node_modules
 *   (lib/adapters/patterns/re2js-engine.ts; the CDK app ships it beside each bundle), the
 *   status page bundles it: the same engine everywhere, so every place refuses and matches alike.
 */
export interface UserPattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in `value`. */
  test(value: string): boolean;
}

/** What the domain uses of re2js's module. */
export type PatternEngine = Pick<typeof Re2js, 'RE2JS' | 'RE2JSSyntaxException'>;

/**
 * Registers how to load the engine (`load` is called once, on the first pattern compiled):
 * each edge calls this before any pattern is compiled. A later registration replaces the
 * loader; an engine already loaded is kept.
 */
export function usePatternEngine(load: () => PatternEngine): void {
  loadEngine = load;
}
let loadEngine: (() => PatternEngine) | undefined;
let engine: PatternEngine | undefined;

function patternEngine(): PatternEngine {
  if (!engine) {
    if (!loadEngine)
      throw new Error(
        'no pattern engine registered: call usePatternEngine (lib/domain/user-pattern.ts) at the edge before compiling a pattern',
      );
    engine = loadEngine();
  }
  return engine;
}

/** Why `source` is not a pattern Lockstep runs, or undefined when it is one. */
export function userPatternProblem(source: string): string | undefined {
  try {
    compiled(source);
    return undefined;
  } catch (error) {
    if (!(error instanceof patternEngine().RE2JSSyntaxException)) throw error;
    return explain(error);
  }
}

/** The compiled pattern; throws for a source `userPatternProblem` refuses (loaded workflows were checked already). */
export function userPattern(source: string): UserPattern {
  const re2 = compiled(source);
  return { source, test: (value) => re2.test(value) };
}

/** Compiled once per source: admission checks the same few patterns on every request. */
function compiled(source: string): Re2js.RE2JS {
  let re2 = cache.get(source);
  if (!re2) {
    re2 = patternEngine().RE2JS.compile(source);
    if (cache.size >= 256) cache.delete(cache.keys().next().value!);
    cache.set(source, re2);
  }
  return re2;
}
const cache = new Map<string, Re2js.RE2JS>();

const LINEAR = 'not supported: patterns run on RE2, which matches in linear time and has no backtracking';

function explain(error: Re2js.RE2JSSyntaxException): string {
  const at = error.input ?? '';
  if (/^\\[1-9k]/.test(at)) return `a backreference (${at}) is ${LINEAR}`;
  if (at.startsWith('(?=') || at.startsWith('(?!')) return `a lookahead (${at}) is ${LINEAR}`;
  if (at.startsWith('(?<=') || at.startsWith('(?<!')) return `a lookbehind (${at.slice(0, 4)}) is ${LINEAR}`;
  if (at === '\\u') return 'the escape \\u is not RE2 syntax: write a code point as \\x{00E9}';
  return `${error.error}${at ? `: ${at}` : ''} (RE2 syntax)`;
}
