import { grouped, MAX_PARAMETERS_BYTES, parametersBytes } from './item-size.js';
import { POLICY_BOUNDS, type Policy } from './policies.js';
import { userPatternProblem } from './user-pattern.js';
import { problemWith } from './workflow-parameters.js';
import * as z from './zod.js';

/**
 * An Amazon States Language definition (JSONPath; no JSONata). The built-in workflows' own
 * live in `built-in/<id>/definition.asl.json`, read by the same loader as users' workflows.
 * Every workflow receives the input built by `workflowInput`: the execution snapshot with
 * `parameters` holding only the declared parameters, defaults applied.
 */
export type AslDefinition = {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  Comment?: string;
  TimeoutSeconds?: number;
};

/** `workflow.json` as API.md defines it. Every object is strict: a misspelt field must not be silently ignored. */

const ParameterType = { String: 'string', Integer: 'integer', Number: 'number', Boolean: 'boolean' } as const;
type ParameterType = (typeof ParameterType)[keyof typeof ParameterType];

/** A whole number in [min, max]. Not `.int()`: its failure would stop zod before the object-wide checks, hiding their problems. */
const whole = (min: number, max: number) =>
  z.number().check(z.gte(min), z.lte(max), z.refine(Number.isInteger, 'must be a whole number'));

const oneLine = z
  .string()
  .check(z.trim(), z.minLength(1, 'must not be empty'), z.regex(/^[^\r\n]*$/, 'must be one line'));

/** A pattern written by a user: refused here unless the linear-time engine admission matches with runs it (lib/domain/user-pattern.ts). */
const patternSource = z.string().check(
  z.superRefine((source, ctx) => {
    const problem = userPatternProblem(source);
    if (problem) ctx.addIssue({ code: 'custom', message: `is not a pattern Lockstep runs: ${problem}` });
  }),
);

/**
 * A parameter's fields, without the checks across them (ParameterDeclarationSchema's): how the
 * functions read the catalog file, whose parameters were checked when the CDK app loaded them.
 * Checking them again at every cold start would compile each pattern there, and load the
 * pattern engine in functions that never match one (lib/domain/user-pattern.ts).
 */
export const ParameterFieldsSchema = z.strictObject({
  name: z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/, 'parameter names are UPPER_SNAKE_CASE')),
  description: oneLine,
  required: z._default(z.boolean(), false),
  // Values travel as strings, defaults too.
  default: z.optional(z.string({ error: 'must be a string (values travel as strings, e.g. "1")' })),
  type: z._default(z.enum(ParameterType), 'string'),
  enum: z.optional(z.array(z.string()).check(z.minLength(1, 'must list at least one value'))),
  // Checked below, where the parameter's name is known.
  pattern: z.optional(z.string()),
  minimum: z.optional(z.number()),
  maximum: z.optional(z.number()),
  maxLength: z.optional(whole(1, Number.MAX_SAFE_INTEGER)),
});

export const ParameterDeclarationSchema = ParameterFieldsSchema.check(
  z.superRefine((p, ctx) => {
    const numeric = p.type === 'integer' || p.type === 'number';
    const refuse = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const patternProblem = p.pattern === undefined ? undefined : userPatternProblem(p.pattern);
    if (patternProblem) refuse('pattern', `the pattern of ${p.name} is not one Lockstep runs: ${patternProblem}`);
    if (p.type === 'boolean' && p.enum)
      refuse('enum', 'a boolean parameter takes no enum (it is already true or false)');
    if (!numeric && p.minimum !== undefined)
      refuse('minimum', `applies to integer and number parameters, not ${p.type}`);
    if (!numeric && p.maximum !== undefined)
      refuse('maximum', `applies to integer and number parameters, not ${p.type}`);
    if (p.type !== 'string' && p.pattern !== undefined)
      refuse('pattern', `applies to string parameters, not ${p.type}`);
    if (p.type !== 'string' && p.maxLength !== undefined)
      refuse('maxLength', `applies to string parameters, not ${p.type}`);
    if (p.type === 'integer' && p.minimum !== undefined && !Number.isInteger(p.minimum))
      refuse('minimum', 'must be a whole number for an integer parameter');
    if (p.type === 'integer' && p.maximum !== undefined && !Number.isInteger(p.maximum))
      refuse('maximum', 'must be a whole number for an integer parameter');
    if (p.minimum !== undefined && p.maximum !== undefined && p.minimum > p.maximum)
      refuse('minimum', `${p.minimum} is above maximum ${p.maximum}`);
    if (p.enum && new Set(p.enum).size !== p.enum.length) refuse('enum', 'lists a value twice');
    p.enum?.forEach((value, i) => {
      const problem = validPattern(p.pattern) ? problemWith({ ...p, enum: undefined }, value) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: ['enum', i], message: `the value ${problem}` });
    });
    if (p.required && p.default !== undefined)
      refuse('default', 'a required parameter never uses its default; drop one of the two');
    // Admission's own check, so a default is held to exactly the rules a given value is.
    const problem = p.default === undefined || !validPattern(p.pattern) ? undefined : problemWith(p, p.default);
    if (problem) refuse('default', `breaks the parameter's own rules: it ${problem}`);
  }),
);

const StepDeclarationSchema = z.strictObject({
  handler: z.string().check(z.minLength(1)),
  timeoutSeconds: z.optional(whole(1, 900)),
  memorySize: z.optional(whole(128, 10_240)),
});

/**
 * A workflow's `policy.approval` (API.md, "Approvals"): always, or only for targets its pattern
 * matches; how long a request waits for its decisions (60 s to 7 days, default 900) and how many
 * approvals it needs (1–5, default 1).
 */
export const ApprovalPolicySchema = z.union([
  z.strictObject({
    required: z.literal('always'),
    timeoutSeconds: z._default(whole(60, 604_800), 900),
    approvals: z._default(whole(1, 5), 1),
  }),
  z.strictObject({
    targetPattern: patternSource,
    timeoutSeconds: z._default(whole(60, 604_800), 900),
    approvals: z._default(whole(1, 5), 1),
  }),
]);
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

export const WorkflowPolicySchema = z
  .strictObject({
    cooldownSeconds: z.optional(whole(...POLICY_BOUNDS.cooldownSeconds)),
    backoffBaseSeconds: z.optional(whole(...POLICY_BOUNDS.backoffBaseSeconds)),
    backoffMaxSeconds: z.optional(whole(...POLICY_BOUNDS.backoffMaxSeconds)),
    maxConsecutiveFailures: z.optional(whole(...POLICY_BOUNDS.maxConsecutiveFailures)),
    executionTimeoutSeconds: z.optional(whole(...POLICY_BOUNDS.executionTimeoutSeconds)),
    approval: z.optional(ApprovalPolicySchema),
  })
  .check(
    z.refine(
      (p) =>
        p.backoffBaseSeconds === undefined ||
        p.backoffMaxSeconds === undefined ||
        p.backoffBaseSeconds <= p.backoffMaxSeconds,
      {
        path: ['backoffBaseSeconds'],
        message: 'must not exceed backoffMaxSeconds',
      },
    ),
  );
export type WorkflowPolicy = Readonly<
  Partial<
    Pick<
      Policy,
      | 'cooldownSeconds'
      | 'backoffBaseSeconds'
      | 'backoffMaxSeconds'
      | 'maxConsecutiveFailures'
      | 'executionTimeoutSeconds'
    >
  > & { approval?: ApprovalPolicy }
>;

export const WorkflowJsonSchema = z
  .strictObject({
    id: z
      .string()
      .check(
        z.regex(
          /^[a-z][a-z0-9-]{0,62}$/,
          'must be lowercase letters, digits and dashes, starting with a letter, at most 63 characters',
        ),
      ),
    version: z.string().check(z.regex(/^\d+(\.\d+){0,2}$/, 'must be 1, 1.2 or 1.2.3')),
    description: oneLine,
    definition: z.optional(z.string().check(z.minLength(1))),
    stateMachineArn: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/,
            'must be the ARN of a state machine (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)',
          ),
        ),
    ),
    parameters: z._default(z.array(ParameterDeclarationSchema), []),
    steps: z._default(
      z.record(
        z
          .string()
          .check(z.regex(/^[A-Za-z][A-Za-z0-9]*$/, 'step names are letters and digits, starting with a letter')),
        StepDeclarationSchema,
      ),
      {},
    ),
    policy: z.optional(WorkflowPolicySchema),
    targetPattern: z.optional(patternSource),
  })
  // `when`: these run even when a field has other problems, so a user sees them all at once.
  .check(
    z.refine((w) => w.definition !== undefined || w.stateMachineArn !== undefined, {
      when: (payload) => isRecord(payload.value),
      error: 'needs a definition, a stateMachineArn, or both (then local mode runs the definition in its place)',
    }),
    // Admission refuses parameters over this with defaults applied: defaults alone over it would refuse every request.
    z.refine((w) => parametersBytes(defaultsOf(w.parameters)) <= MAX_PARAMETERS_BYTES, {
      when: (payload) => isRecord(payload.value),
      path: ['parameters'],
      error: (issue) => {
        const { id, parameters } = issue.input as { id?: unknown; parameters?: unknown };
        const bytes = grouped(parametersBytes(defaultsOf(parameters)));
        return `the defaults of workflow ${String(id)} come to ${bytes} bytes; at most ${grouped(MAX_PARAMETERS_BYTES)} (the request body's limit), or every request for it is refused`;
      },
    }),
    z.refine((w) => duplicateParameters(w.parameters).length === 0, {
      when: (payload) => isRecord(payload.value),
      path: ['parameters'],
      error: (issue) =>
        `declares ${duplicateParameters((issue.input as { parameters?: unknown }).parameters).join(', ')} more than once`,
    }),
  );
export type WorkflowJson = z.infer<typeof WorkflowJsonSchema>;

/** One declared parameter, defaults filled; the same shape admission checks values against. */
export type WorkflowParameter = Readonly<z.infer<typeof ParameterDeclarationSchema>>;

/** A step's Lambda settings when workflow.json sets none, the same locally (where memory is only reported) and on AWS. */
export const STEP_DEFAULTS = { timeoutSeconds: 60, memorySize: 128 } as const;

export interface WorkflowStep {
  readonly name: string;
  /** Absolute path of the handler module. */
  readonly handler: string;
  readonly timeoutSeconds?: number;
  readonly memorySize?: number;
}

/** One loaded, validated, immutable workflow version. */
export interface WorkflowVersion {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  /** `sha256:` + 64 hex characters over workflow.json, the definition and every step source. */
  readonly digest: string;
  readonly parameters: readonly WorkflowParameter[];
  /** Parsed ASL; `${Name}` step placeholders are left for the runtime (local or CDK) to resolve. */
  readonly definition?: AslDefinition;
  readonly stateMachineArn?: string;
  readonly steps: readonly WorkflowStep[];
  readonly policy?: WorkflowPolicy;
  readonly targetPattern?: string;
  /** Absolute path of the folder holding `workflow.json`. */
  readonly folder: string;
  readonly builtIn: boolean;
}

/** Orders versions by number, part by part: `1.10` > `1.9`, `2` > `1.9.9`, `1` = `1.0`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Freezes `value` and everything reachable from it, so a loaded version cannot be changed by its users. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A JSON object (not an array, not null). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The parameters a request that gives none stores: each declared default; tolerant of malformed entries, which other checks report. */
function defaultsOf(parameters: unknown): Record<string, string> {
  const declared = Array.isArray(parameters) ? parameters.filter(isRecord) : [];
  return Object.fromEntries(
    declared
      .filter((p) => typeof p.name === 'string' && typeof p.default === 'string')
      .map((p) => [p.name as string, p.default as string]),
  );
}

/** Parameter names declared more than once; tolerant of malformed entries, which other checks report. */
function duplicateParameters(parameters: unknown): string[] {
  const names = Array.isArray(parameters)
    ? parameters.map((p: unknown) => (isRecord(p) ? p.name : undefined)).filter((n) => typeof n === 'string')
    : [];
  return [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
}

const validPattern = (pattern: string | undefined) =>
  pattern === undefined || userPatternProblem(pattern) === undefined;

/** A version as the deploy-time check knows it: a version's content may never change under the same number. */
export interface VersionDigest {
  readonly id: string;
  readonly version: string;
  readonly digest: string;
}
