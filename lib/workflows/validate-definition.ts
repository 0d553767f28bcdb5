import { createRequire } from 'node:module';
import { interpreterProblems } from './interpreter-checks.js';

/**
 * Checks an ASL definition the way a user needs it checked: asl-validator for the schema
 * and the JSONPath expressions, plus what it misses or reports without saying where —
 * transitions per scope (a branch may not jump out), reachability from StartAt, unknown
 * state types, Tasks without a Resource, JSONata, and `${Name}` step placeholders; what local
 * mode's interpreter cannot run (interpreter-checks.ts), so every place refuses the same; and
 * nesting deeper than `MAX_NESTING`. Each problem is one line naming the state; the caller
 * prefixes the file.
 */

interface AslValidatorError {
  'Error code': string;
  Message: string;
  schemaError?: { instancePath: string };
}
type AslValidator = (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => { isValid: boolean; errors: AslValidatorError[] };

// asl-validator 4 ships CommonJS without type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const STATE_TYPES = ['Task', 'Pass', 'Wait', 'Choice', 'Parallel', 'Map', 'Succeed', 'Fail'] as const;

/**
 * The fields each state type takes (JSONPath, Amazon States Language). asl-validator's schema
 * lets some misplaced ones through (Retry on a Pass, Next on a Succeed), which Step Functions
 * and local mode's interpreter then refuse.
 */
const FLOW = ['Next', 'End', 'InputPath', 'OutputPath', 'Assign'];
const FIELDS: Record<(typeof STATE_TYPES)[number], readonly string[]> = {
  Task: [
    ...FLOW,
    'Resource',
    'Parameters',
    'ResultSelector',
    'ResultPath',
    'Retry',
    'Catch',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Credentials',
  ],
  Pass: [...FLOW, 'Parameters', 'Result', 'ResultPath'],
  Wait: [...FLOW, 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'],
  Choice: ['InputPath', 'OutputPath', 'Assign', 'Choices', 'Default'],
  Parallel: [...FLOW, 'Branches', 'Parameters', 'ResultSelector', 'ResultPath', 'Retry', 'Catch'],
  Map: [
    ...FLOW,
    ...[
      'ItemProcessor',
      'Iterator',
      'ItemsPath',
      'ItemSelector',
      'Parameters',
      'ResultSelector',
      'ResultPath',
      'Retry',
      'Catch',
      'MaxConcurrency',
      'MaxConcurrencyPath',
    ],
    ...[
      'ItemReader',
      'ItemBatcher',
      'ResultWriter',
      'ToleratedFailurePercentage',
      'ToleratedFailurePercentagePath',
      'ToleratedFailureCount',
      'ToleratedFailureCountPath',
      'Label',
    ],
  ],
  Succeed: ['InputPath', 'OutputPath'],
  Fail: ['Error', 'ErrorPath', 'Cause', 'CausePath'],
};

/**
 * How deep Parallel branches and Map item processors may nest. asl-validator's time grows
 * exponentially with nesting (8 levels: about a tenth of a second above its fixed cost; 20
 * levels: half a minute; 24: minutes), so deeper definitions are refused before it runs, with
 * the limit and the path, and validation stays linear in the definition's size. Real workflows
 * nest two or three levels.
 */
const MAX_NESTING = 8;

const JSONATA_REFUSED =
  "JSONata is not supported: local mode's interpreter runs JSONPath only; write this state with JSONPath";

/** asl-validator findings that the walk below reports per scope and with the state's name. */
const COVERED_CODES = new Set([
  'MISSING_TRANSITION_TARGET',
  'MISSING_TERMINAL_STATE',
  'BRANCH_OUTBOUND_TRANSITION_TARGET',
  'MAP_OUTBOUND_TRANSITION_TARGET',
]);

/** A syntactically valid Lambda ARN put in place of each placeholder, so the schema sees what AWS will see. */
const placeholderArn = (step: string) => `arn:aws:lambda:us-east-1:123456789012:function:lockstep-step-${step}`;

const PLACEHOLDER = /^\$\{([A-Za-z][A-Za-z0-9]*)\}$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The problems of `definition` given the declared step names; empty when it is valid.
 * Remembered per content: asl-validator compiles its whole schema on every call (about
 * 130 ms), and a folder is loaded again and again (validate, local mode, each synthesis).
 */
export function validateDefinition(definition: unknown, steps: readonly string[]): string[] {
  const key = JSON.stringify([definition, steps]);
  let problems = validated.get(key);
  if (!problems) {
    problems = definitionProblems(definition, steps);
    if (validated.size >= 256) validated.delete(validated.keys().next().value!);
    validated.set(key, problems);
  }
  return [...problems];
}
const validated = new Map<string, readonly string[]>();

function definitionProblems(definition: unknown, steps: readonly string[]): string[] {
  if (!isObject(definition)) return ['the definition must be a JSON object with StartAt and States'];
  const jsonata = definition.QueryLanguage === 'JSONata';
  const walk = new DefinitionWalk(new Set(steps), jsonata);
  if (jsonata) walk.problems.push(`the definition sets QueryLanguage "JSONata": ${JSONATA_REFUSED}`);
  walk.scope(definition, '', []);
  // Too deep: the states below the limit were not walked, and asl-validator would take minutes.
  if (walk.tooDeep) return walk.problems;
  for (const step of steps)
    if (!walk.usedSteps.has(step))
      walk.problems.push(`step "${step}" is declared in workflow.json but not used: refer to it as "\${${step}}"`);
  return [...walk.problems, ...aslValidatorProblems(definition, walk.flaggedStates)];
}

class DefinitionWalk {
  readonly problems: string[] = [];
  readonly usedSteps = new Set<string>();
  /** States already reported as malformed; the schema's own complaints about them would only repeat it. */
  readonly flaggedStates = new Set<string>();
  /** Set once a machine nested deeper than MAX_NESTING was found (and reported, once). */
  tooDeep = false;

  constructor(
    private readonly declaredSteps: ReadonlySet<string>,
    /** Set when the whole definition is JSONata: said once, not again for each state. */
    private readonly jsonataReported: boolean,
  ) {}

  /**
   * One state machine (the top level, a Parallel branch, a Map item processor): its transitions
   * stay inside it. `enclosing` names the Parallel and Map states it is nested in, outermost first.
   */
  scope(machine: JsonObject, where: string, enclosing: readonly string[]): void {
    if (this.tooDeep) return;
    const suffix = where ? ` in ${where}` : '';
    if (!isObject(machine.States) || Object.keys(machine.States).length === 0) {
      this.problems.push(`States${suffix} must be an object holding at least one state`);
      return;
    }
    const states = machine.States;
    if (enclosing.length > MAX_NESTING) {
      const first =
        typeof machine.StartAt === 'string' && Object.hasOwn(states, machine.StartAt)
          ? machine.StartAt
          : Object.keys(states)[0]!;
      this.problems.push(
        `state "${first}"${suffix} is nested ${enclosing.length} levels deep in Parallel and Map states (${[...enclosing, first].join(' › ')}); ` +
          `at most ${MAX_NESTING} levels are allowed, because validating a definition takes time exponential in its nesting: flatten it, or split it into workflows`,
      );
      this.tooDeep = true;
      return;
    }
    const names = new Set(Object.keys(states));
    const startAt = typeof machine.StartAt === 'string' ? machine.StartAt : undefined;
    if (startAt === undefined) this.problems.push(`StartAt${suffix} is missing or not a string`);
    else if (!names.has(startAt)) this.problems.push(`StartAt${suffix} is "${startAt}", which does not exist`);

    const edges = new Map<string, string[]>();
    const terminal = new Set<string>();
    let dangling = false;
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) {
        this.problems.push(`state "${name}" must be an object`);
        this.flaggedStates.add(name);
        continue;
      }
      this.state(name, state, enclosing);
      if (state.End === true || state.Type === 'Succeed' || state.Type === 'Fail') terminal.add(name);
      const targets = transitions(state);
      for (const { field, target } of targets) {
        if (names.has(target)) continue;
        this.problems.push(`state "${name}" has ${field} "${target}", which does not exist${suffix}`);
        dangling = true;
      }
      edges.set(
        name,
        targets.map((t) => t.target).filter((t) => names.has(t)),
      );
    }
    // A dangling transition is the likelier cause of a missing end: report it alone.
    if (startAt !== undefined && names.has(startAt))
      this.reachability(startAt, names, edges, dangling ? undefined : terminal, suffix);
  }

  private state(name: string, state: JsonObject, enclosing: readonly string[]): void {
    const type = state.Type;
    if (typeof type !== 'string' || !(STATE_TYPES as readonly string[]).includes(type)) {
      const got = typeof type === 'string' ? `has Type "${type}", which does not exist` : 'has no Type';
      this.problems.push(`state "${name}" ${got} (one of ${STATE_TYPES.join(', ')})`);
      this.flaggedStates.add(name);
    }
    if (type === 'Task' && state.Resource === undefined) {
      this.problems.push(`state "${name}" is a Task without a Resource`);
      this.flaggedStates.add(name);
    }
    // A JSONata state has fields of its own (Arguments, Output); that it is JSONata is the problem reported.
    const fields =
      this.jsonataReported || state.QueryLanguage === 'JSONata' ? undefined : FIELDS[type as keyof typeof FIELDS];
    const misplaced = fields
      ? Object.keys(state).filter((field) => !['Type', 'Comment', 'QueryLanguage', ...fields].includes(field))
      : [];
    if (misplaced.length > 0) {
      this.problems.push(
        `state "${name}": a ${type as string} state takes no ${misplaced.join(', ')} (it takes ${fields!.join(', ')})`,
      );
      this.flaggedStates.add(name);
    }
    if (!this.jsonataReported) this.jsonata(name, state);
    this.placeholders(name, state, '');
    this.problems.push(...interpreterProblems(name, state));
    const inside = [...enclosing, name];
    if (type === 'Parallel' && Array.isArray(state.Branches)) {
      state.Branches.forEach((branch, i) =>
        isObject(branch)
          ? this.scope(branch, `branch ${i + 1} of "${name}"`, inside)
          : this.problems.push(`state "${name}" Branches[${i}] must be an object`),
      );
    }
    if (type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      const field = state.ItemProcessor === undefined ? 'Iterator' : 'ItemProcessor';
      if (isObject(processor)) this.scope(processor, `the ${field} of "${name}"`, inside);
    }
  }

  private jsonata(name: string, state: JsonObject): void {
    if (state.QueryLanguage === 'JSONata')
      this.problems.push(`state "${name}" sets QueryLanguage "JSONata": ${JSONATA_REFUSED}`);
    else {
      const at = ownStrings(state, '').find(({ value }) => /^\s*\{%[\s\S]*%\}\s*$/.test(value));
      if (at) this.problems.push(`state "${name}" has a JSONata expression at ${at.path}: ${JSONATA_REFUSED}`);
    }
  }

  /** Every `${...}` must be exactly one declared step's placeholder. */
  private placeholders(name: string, state: JsonObject, prefix: string): void {
    for (const { path, value } of ownStrings(state, prefix)) {
      if (!value.includes('${')) continue;
      const step = PLACEHOLDER.exec(value)?.[1];
      if (step === undefined)
        this.problems.push(
          `state "${name}" has "${value}" at ${path}: a placeholder must be exactly "\${StepName}", alone in its string`,
        );
      else if (!this.declaredSteps.has(step))
        this.problems.push(
          `state "${name}" uses \${${step}} at ${path}, which is not a step declared in workflow.json`,
        );
      else this.usedSteps.add(step);
    }
  }

  private reachability(
    startAt: string,
    names: ReadonlySet<string>,
    edges: ReadonlyMap<string, string[]>,
    terminal: ReadonlySet<string> | undefined,
    suffix: string,
  ): void {
    const reachable = closure([startAt], (n) => edges.get(n) ?? []);
    for (const name of names)
      if (!reachable.has(name))
        this.problems.push(`state "${name}" is not reachable from StartAt "${startAt}"${suffix}`);
    if (terminal === undefined) return;
    const reverse = new Map<string, string[]>();
    for (const [from, tos] of edges) for (const to of tos) reverse.set(to, [...(reverse.get(to) ?? []), from]);
    const canEnd = closure([...terminal], (n) => reverse.get(n) ?? []);
    if (![...reachable].some((n) => terminal.has(n))) {
      this.problems.push(
        `no end is reachable from StartAt "${startAt}"${suffix}: no state on the way has End: true or is a Succeed or Fail state`,
      );
      return;
    }
    for (const name of reachable)
      if (!canEnd.has(name))
        this.problems.push(`state "${name}" can never reach an end (End: true, Succeed or Fail)${suffix}`);
  }
}

/** Where a state goes next: Next, Default, each Choice's Next, each Catch's Next. */
function transitions(state: JsonObject): { field: string; target: string }[] {
  const found: { field: string; target: string }[] = [];
  if (typeof state.Next === 'string') found.push({ field: 'Next', target: state.Next });
  if (typeof state.Default === 'string') found.push({ field: 'Default', target: state.Default });
  for (const list of ['Choices', 'Catch'] as const) {
    const entries = state[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, i) => {
      if (isObject(entry) && typeof entry.Next === 'string')
        found.push({ field: `${list}[${i}].Next`, target: entry.Next });
    });
  }
  return found;
}

/** Every string value of a state, with its path, without descending into nested state machines (walked as their own scopes). */
function ownStrings(value: Json, path: string): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => ownStrings(item, `${path}[${i}]`));
  if (!isObject(value)) return [];
  return Object.entries(value)
    .filter(([key]) => !(path === '' && (key === 'Branches' || key === 'ItemProcessor' || key === 'Iterator')))
    .flatMap(([key, item]) => ownStrings(item, path ? `${path}.${key}` : key));
}

function closure(start: readonly string[], next: (node: string) => readonly string[]): Set<string> {
  const seen = new Set(start);
  const queue = [...start];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const n of next(node)) {
      if (seen.has(n)) continue;
      seen.add(n);
      queue.push(n);
    }
  }
  return seen;
}

/** asl-validator on a copy with placeholders replaced (it mutates its input), its findings worded per state. */
function aslValidatorProblems(definition: JsonObject, flagged: ReadonlySet<string>): string[] {
  const copy = resolveStepPlaceholders(definition, placeholderArn);
  const { errors } = aslValidator(copy, { checkPaths: true, checkArn: true });
  const lines = errors.flatMap((error) => {
    if (COVERED_CODES.has(error['Error code'])) return [];
    const pointer = error.schemaError?.instancePath;
    const duplicate = /^A state with this name already exists: (.*)$/.exec(error.Message)?.[1];
    if (duplicate !== undefined)
      return [
        `state "${duplicate}": another state has this name too; state names must be unique across the whole definition, branches and item processors included`,
      ];
    if (pointer === undefined) return [error.Message.replace(/^State "/, 'state "').replace(' MUST ', ' must ')];
    return schemaProblem(pointer, error.Message, copy, flagged) ?? [];
  });
  return [...new Set(lines)];
}

/** A copy of `definition` with each `${Name}` string replaced by `resolve(Name)`: what local mode and the CDK app run. */
export function resolveStepPlaceholders<T>(definition: T, resolve: (step: string) => string): T {
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const step = PLACEHOLDER.exec(value)?.[1];
      return step === undefined ? value : resolve(step);
    }
    if (Array.isArray(value)) return value.map(visit);
    if (!isObject(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
  };
  return visit(definition) as T;
}

/** `/States/A/Branches/0/States/B/InputPath is invalid. must match format "asl_path"` → `state "B": InputPath must match format "asl_path"`. */
function schemaProblem(
  pointer: string,
  message: string,
  definition: JsonObject,
  flagged: ReadonlySet<string>,
): string | undefined {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const reason = message.replace(/^.*? is invalid\. /, '');
  const statesAt = segments.lastIndexOf('States');
  if (statesAt === -1 || statesAt + 1 >= segments.length) return `${segments.join('.') || 'the definition'}: ${reason}`;
  const state = segments[statesAt + 1]!;
  const field = segments.slice(statesAt + 2).join('.');
  // The schema's Type and QueryLanguage complaints echo a problem reported above (or noise from its oneOf).
  if (flagged.has(state) || field === 'Type' || field === 'QueryLanguage') return undefined;
  if (field === '' && reason.includes('oneOf'))
    return `state "${state}" does not fit the ASL schema of a ${stateType(definition, segments.slice(0, statesAt + 2))} state: a misspelt, misplaced or missing field`;
  return `state "${state}": ${field ? `${field} ` : ''}${reason}`;
}

function stateType(definition: JsonObject, segments: readonly string[]): string {
  let node: Json | undefined = definition;
  for (const s of segments) node = Array.isArray(node) ? node[Number(s)] : isObject(node) ? node[s] : undefined;
  return isObject(node) && typeof node.Type === 'string' ? node.Type : 'known';
}

/** The `Resource` of every Task state of `definition`, at any depth (Parallel branches, Map item processors). */
export function taskResources(definition: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) return;
    if (value.Type === 'Task' && typeof value.Resource === 'string') found.push(value.Resource);
    Object.values(value).forEach(visit);
  };
  visit(definition);
  return found;
}
