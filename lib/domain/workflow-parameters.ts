import { ValidationError } from './errors.js';

/** What a workflow declares about one parameter (API.md, `workflow.json` `parameters`). Values always travel as strings. */
export interface ParameterRule {
  readonly name: string;
  readonly required?: boolean;
  readonly default?: string;
  readonly type?: 'string' | 'integer' | 'number' | 'boolean';
  readonly enum?: readonly string[];
  /** A regular expression the value must match; unanchored, as in JSON Schema (use ^…$ to match the whole value). */
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  /** In characters (code points). */
  readonly maxLength?: number;
}

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The parameters that reach the workflow: the declared ones, defaults applied, each checked
 * against its rules before anything is written. Every problem is one detail naming the
 * parameter (`body.parameters.SECONDS: must be a whole number`). A name the workflow does
 * not declare is refused too, not dropped: a misspelt name would otherwise run the workflow
 * with its default, silently doing what nobody asked for.
 */
export function checkParameters(workflow: { id: string; version: string }, rules: readonly ParameterRule[], given: Readonly<Record<string, string>>): Record<string, string> {
  const parameters: Record<string, string> = {};
  const problems: string[] = [];
  const declared = rules.map((rule) => rule.name);
  for (const name of Object.keys(given).filter((name) => !declared.includes(name))) {
    const near = declared.find((candidate) => editDistance(candidate, name) <= 2);
    const known = declared.length > 0 ? `declared: ${declared.join(', ')}` : 'it declares none';
    problems.push(`body.parameters.${name}: is not a parameter of workflow ${workflow.id} version ${workflow.version} (${near ? `did you mean ${near}? ` : ''}${known})`);
  }
  for (const rule of rules) {
    const value = Object.hasOwn(given, rule.name) ? given[rule.name] : rule.default;
    if (value === undefined) {
      if (rule.required) problems.push(`body.parameters.${rule.name}: is required by workflow ${workflow.id}`);
      continue;
    }
    const problem = problemWith(rule, value);
    if (problem) problems.push(`body.parameters.${rule.name}: ${problem}`);
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
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** What is wrong with one value, or undefined. Exported for validating a workflow's own defaults. */
export function problemWith(rule: ParameterRule, value: string): string | undefined {
  const type = rule.type ?? 'string';
  if (type === 'integer' && !(INTEGER.test(value) && Number.isSafeInteger(Number(value)))) return `must be a whole number, got ${quote(value)}`;
  if (type === 'number' && !(NUMBER.test(value) && Number.isFinite(Number(value)))) return `must be a number, got ${quote(value)}`;
  if (type === 'boolean' && value !== 'true' && value !== 'false') return `must be true or false, got ${quote(value)}`;
  if (rule.enum && !rule.enum.includes(value)) return `must be one of ${rule.enum.map(quote).join(', ')}, got ${quote(value)}`;
  if ((type === 'integer' || type === 'number') && rule.minimum !== undefined && Number(value) < rule.minimum) return `must be at least ${rule.minimum}, got ${value}`;
  if ((type === 'integer' || type === 'number') && rule.maximum !== undefined && Number(value) > rule.maximum) return `must be at most ${rule.maximum}, got ${value}`;
  if (rule.maxLength !== undefined && [...value].length > rule.maxLength) return `must be at most ${rule.maxLength} characters long, got ${[...value].length}`;
  if (rule.pattern !== undefined && !new RegExp(rule.pattern, 'u').test(value)) return `must match ${rule.pattern}, got ${quote(value)}`;
  return undefined;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
}
