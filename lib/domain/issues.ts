import type * as z from './zod.js';

/**
 * The one zod-issue formatter: every place that reports a value zod refused (the API's error
 * details, the trigger's rejection, the workflow loader, the environment readers, the command's
 * option checks) turns issues into text here. Callers differ only in the options below, which
 * keep each one's wording as its readers know it.
 */

/** One thing wrong in a refused value: where (`at`, written out; `path`, inside the value) and what. */
export interface Problem {
  at: string;
  path: readonly PropertyKey[];
  message: string;
}

export interface IssueFormat {
  /** Where the value came from, written before its path: `body`, `query`, `detail`, `header Idempotency-Key`. */
  root?: string;
  /**
   * How a path is written: `dotted` (`body.parameters.0`: the API, the environment) or `accessor`
   * (`parameters[0].name`: the loader, as the path reads in the JSON file). Default: dotted.
   */
  path?: 'dotted' | 'accessor';
  /** A key the schema does not know, in the object at `path`. Default: at the key itself, "not a known field". */
  unknownKey?: (key: string, path: readonly PropertyKey[]) => Omit<Problem, 'at'>;
  /**
   * A record key its schema refused: reported with zod's own message (`record`, "Invalid key in
   * record") or with what the key schema says is wrong (`key`). Default: record.
   */
  recordKey?: 'record' | 'key';
}

const fieldUnknown = (key: string, path: readonly PropertyKey[]) => ({
  path: [...path, key],
  message: 'not a known field',
});

/** Every problem in `error`, one per unknown key and per refused record key, in zod's order. */
export function problemsIn(error: z.core.$ZodError, format: IssueFormat = {}): Problem[] {
  const { unknownKey = fieldUnknown, recordKey = 'record' } = format;
  const problems = error.issues.flatMap((issue): Omit<Problem, 'at'>[] => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownKey(key, issue.path));
    if (issue.code === 'invalid_key' && recordKey === 'key')
      return issue.issues.map((inner) => ({ path: issue.path, message: inner.message }));
    return [{ path: issue.path, message: issue.message }];
  });
  return problems.map((problem) => ({ ...problem, at: pathText(problem.path, format) }));
}

/** Each problem as `where: what`, or `what` alone where there is no where (a bare value, no root). */
export function formatIssues(error: z.core.$ZodError, format: IssueFormat = {}): string[] {
  return problemsIn(error, format).map(({ at, message }) => (at ? `${at}: ${message}` : message));
}

function pathText(path: readonly PropertyKey[], { root, path: style = 'dotted' }: IssueFormat): string {
  const whole = root === undefined ? path : [root, ...path];
  if (style === 'dotted') return whole.map(String).join('.');
  return whole
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
