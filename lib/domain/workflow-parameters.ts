import { ValidationError } from './errors.js';
import { userPattern } from './user-pattern.js';

/** What a workflow declares about one parameter (API.md, `workflow.json` `parameters`). Values always travel as strings. */
export interface ParameterRule {
  readonly name: string;
  readonly required?: boolean;
  readonly default?: string;
  readonly type?: 'string' | 'integer' | 'number' | 'boolean';
  readonly enum?: readonly string[];
  /** A regular expression the value must match (RE2 syntax, linear time: lib/domain/user-pattern.ts); unanchored, as in JSON Schema (use ^…$ to match the whole value). */
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  /** In characters (code points). */
  readonly maxLength?: number;
}

/*
 * Typed values must be exactly what the workflow's documented conversion, `States.StringToJson`,
 * reads as a value of the type (canonical JSON text): anything else would be admitted, then fail
 * the run in its first state and block the target. So an integer is JSON integer text
 * (`-?(0|[1-9][0-9]*)`: no leading zero, `+`, exponent, point or spaces) within ±(2^53−1), where
 * its bounds compare exactly; `-0` is refused (write 0). A number is the JSON number grammar
 * (`0.5`, not `.5` or `1.`) and finite (`1e400` is refused). A boolean is `true` or `false`.
 */
const JSON_INTEGER = /^-?(0|[1-9][0-9]*)$/;
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;

/**
 * The parameters that reach the workflow: the declared ones, defaults applied, each checked
 * against its rules before anything is written. Every problem is one detail naming the
 * parameter where the request carried it (`body.parameters.SECONDS: must be a whole number`;
 * an event's request is under `detail`). A name the workflow does
 * not declare is refused too, not dropped: a misspelt name would otherwise run the workflow
 * with its default, silently doing what nobody asked for.
 */
export function checkParameters(
  workflow: { id: string; version: string },
  rules: readonly ParameterRule[],
  given: Readonly<Record<string, string>>,
  where = 'body',
): Record<string, string> {
  const parameters: Record<string, string> = {};
  const problems: string[] = [];
  const declared = rules.map((rule) => rule.name);
  for (const name of Object.keys(given).filter((name) => !declared.includes(name))) {
    const near = declared.find((candidate) => editDistance(candidate, name) <= 2);
    const known = declared.length > 0 ? `declared: ${declared.join(', ')}` : 'it declares none';
    problems.push(
      `${where}.parameters.${name}: is not a parameter of workflow ${workflow.id} version ${workflow.version} (${near ? `did you mean ${near}? ` : ''}${known})`,
    );
  }
  for (const rule of rules) {
    const value = Object.hasOwn(given, rule.name) ? given[rule.name] : rule.default;
    if (value === undefined) {
      if (rule.required) problems.push(`${where}.parameters.${rule.name}: is required by workflow ${workflow.id}`);
      continue;
    }
    const problem = problemWith(rule, value);
    if (problem) problems.push(`${where}.parameters.${rule.name}: ${problem}`);
    else parameters[rule.name] = value;
  }
  if (problems.length > 0) throw new ValidationError(`the parameters do not fit workflow ${workflow.id}`, problems);
  return parameters;
}

/** Levenshtein distance, for suggesting the parameter a misspelt name meant. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** What is wrong with one value, or undefined. Exported for validating a workflow's own defaults. */
export function problemWith(rule: ParameterRule, value: string): string | undefined {
  const type = rule.type ?? 'string';
  const typeProblem = TYPE_PROBLEMS[type]?.(value);
  if (typeProblem) return typeProblem;
  if (rule.enum && !rule.enum.includes(value))
    return `must be one of ${rule.enum.map(quote).join(', ')}, got ${quote(value)}`;
  if ((type === 'integer' || type === 'number') && rule.minimum !== undefined && Number(value) < rule.minimum)
    return `must be at least ${rule.minimum}, got ${value}`;
  if ((type === 'integer' || type === 'number') && rule.maximum !== undefined && Number(value) > rule.maximum)
    return `must be at most ${rule.maximum}, got ${value}`;
  if (rule.maxLength !== undefined && [...value].length > rule.maxLength)
    return `must be at most ${rule.maxLength} characters long, got ${[...value].length}`;
  if (rule.pattern !== undefined && !userPattern(rule.pattern).test(value))
    return `must match ${rule.pattern}, got ${quote(value)}`;
  return undefined;
}

const TYPE_PROBLEMS: Partial<Record<NonNullable<ParameterRule['type']>, (value: string) => string | undefined>> = {
  integer: (value) => {
    if (!JSON_INTEGER.test(value))
      return `must be a whole number written as JSON (like 5 or -12: digits, no leading zero, + sign, point, exponent or spaces), got ${quote(value)}`;
    if (value === '-0') return 'must be a whole number written as JSON: write 0, not -0';
    if (!Number.isSafeInteger(Number(value)))
      return `must be a whole number from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER} (at most 9007199254740991 either way), got ${quote(value)}`;
    return undefined;
  },
  number: (value) => {
    if (!JSON_NUMBER.test(value))
      return `must be a number written as JSON (like 0.5, -2 or 1e3: a digit on each side of a point, no leading zero, + sign or spaces), got ${quote(value)}`;
    if (!Number.isFinite(Number(value))) return `must be a number a workflow can hold: ${quote(value)} is too large`;
    return undefined;
  },
  boolean: (value) =>
    value === 'true' || value === 'false'
      ? undefined
      : `must be true or false (lowercase, as JSON writes them), got ${quote(value)}`,
};

function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
}
