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
 * The parameters that reach the workflow: the declared ones only, defaults applied, each
 * checked against its rules before anything is written. Every problem is one detail naming
 * the parameter (`body.parameters.SECONDS: must be a whole number`), so a typo in a value
 * never starts a run that fails and blocks the target. Undeclared names are returned apart,
 * so the admission can record that they were dropped.
 */
export function checkParameters(workflowId: string, rules: readonly ParameterRule[], given: Readonly<Record<string, string>>): { parameters: Record<string, string>; ignored: string[] } {
  const parameters: Record<string, string> = {};
  const problems: string[] = [];
  for (const rule of rules) {
    const value = Object.hasOwn(given, rule.name) ? given[rule.name] : rule.default;
    if (value === undefined) {
      if (rule.required) problems.push(`body.parameters.${rule.name}: is required by workflow ${workflowId}`);
      continue;
    }
    const problem = problemWith(rule, value);
    if (problem) problems.push(`body.parameters.${rule.name}: ${problem}`);
    else parameters[rule.name] = value;
  }
  if (problems.length > 0) throw new ValidationError(`the parameters do not fit workflow ${workflowId}`, problems);
  const declared = new Set(rules.map((rule) => rule.name));
  return { parameters, ignored: Object.keys(given).filter((name) => !declared.has(name)) };
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
