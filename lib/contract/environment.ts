import { decimalInteger } from '../domain/decimal-integer.js';
import { LockstepError } from '../domain/errors.js';
import { problemsIn } from '../domain/issues.js';
import { DEFAULT_POLICY, POLICY_BOUNDS, type Policy, PolicySchema } from '../domain/policies.js';
import * as z from '../domain/zod.js';
import { DEFAULT_TABLE_NAME } from './table.js';

/**
 * Every environment variable the engine reads or the CDK app writes, by what it holds. The only
 * place their names are written: the readers below parse them, the writers below produce them,
 * and everything else (the CDK app, local mode, the command) names them through this object.
 */
export const ENVIRONMENT = {
  // Local mode (API.md, local settings).
  port: 'PORT',
  stepFunctionsPort: 'LOCKSTEP_STEPFUNCTIONS_PORT',
  eventBridgePort: 'LOCKSTEP_EVENTBRIDGE_PORT',
  token: 'LOCKSTEP_TOKEN',
  sweepIntervalSeconds: 'LOCKSTEP_SWEEP_INTERVAL_SECONDS',
  localTableName: 'LOCKSTEP_TABLE_NAME',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  dataDir: 'LOCKSTEP_DATA_DIR',
  workflowsDir: 'LOCKSTEP_WORKFLOWS_DIR',
  /** More local tokens, each with a name, a role and whether it is an intermediary (API.md). */
  tokensFile: 'LOCKSTEP_TOKENS_FILE',
  // The policy, the same for local mode and Lambda.
  cooldownSeconds: 'LOCKSTEP_COOLDOWN_SECONDS',
  backoffBaseSeconds: 'LOCKSTEP_BACKOFF_BASE_SECONDS',
  backoffMaxSeconds: 'LOCKSTEP_BACKOFF_MAX_SECONDS',
  maxConsecutiveFailures: 'LOCKSTEP_MAX_CONSECUTIVE_FAILURES',
  // The Lambda functions, written by the CDK app (AWS_REGION by Lambda itself).
  region: 'AWS_REGION',
  tableName: 'TABLE_NAME',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  stateMachineArns: 'STATE_MACHINE_ARNS',
  eventBusName: 'EVENT_BUS_NAME',
  deadlineScheduleGroup: 'DEADLINE_SCHEDULE_GROUP',
  deadlineTargetArn: 'DEADLINE_TARGET_ARN',
  deadlineRoleArn: 'DEADLINE_ROLE_ARN',
  /** The construct's `intermediaries`: IAM principal ARN patterns (JSON array) whose requests may carry `onBehalfOf`. */
  intermediaries: 'LOCKSTEP_INTERMEDIARIES',
  // Node.js's and Powertools' own, which the CDK app sets on every engine function.
  nodeOptions: 'NODE_OPTIONS',
  powertoolsServiceName: 'POWERTOOLS_SERVICE_NAME',
} as const;
const E = ENVIRONMENT;

/** A whole number in [min, max]; its variable is named by the error path. */
const integer = (fallback: number, min: number, max: number) => z._default(decimalInteger(min, max), fallback);

const port = decimalInteger(0, 65535);

/** The policy settings, the same for local mode and Lambda. A backoff base above its max would make the max meaningless. */
const PolicyEnvironment = z.object({
  [E.cooldownSeconds]: integer(DEFAULT_POLICY.cooldownSeconds, ...POLICY_BOUNDS.cooldownSeconds),
  [E.backoffBaseSeconds]: integer(DEFAULT_POLICY.backoffBaseSeconds, ...POLICY_BOUNDS.backoffBaseSeconds),
  [E.backoffMaxSeconds]: integer(DEFAULT_POLICY.backoffMaxSeconds, ...POLICY_BOUNDS.backoffMaxSeconds),
  [E.maxConsecutiveFailures]: integer(DEFAULT_POLICY.maxConsecutiveFailures, ...POLICY_BOUNDS.maxConsecutiveFailures),
});
type PolicyEnvironment = z.infer<typeof PolicyEnvironment>;

function checkBackoff(e: PolicyEnvironment, ctx: z.core.$RefinementCtx<PolicyEnvironment>): void {
  if (e[E.backoffBaseSeconds] > e[E.backoffMaxSeconds]) {
    ctx.addIssue({
      code: 'custom',
      path: [E.backoffBaseSeconds],
      message: `${e[E.backoffBaseSeconds]} is above ${E.backoffMaxSeconds} (${e[E.backoffMaxSeconds]}); the base must not exceed the max`,
    });
  }
}

/** The part of the policy the environment sets; the rest keeps its defaults. */
export type PolicySettings = Pick<
  Policy,
  'cooldownSeconds' | 'backoffBaseSeconds' | 'backoffMaxSeconds' | 'maxConsecutiveFailures'
>;

function policyFrom(e: PolicyEnvironment): Policy {
  return PolicySchema.parse({
    cooldownSeconds: e[E.cooldownSeconds],
    backoffBaseSeconds: e[E.backoffBaseSeconds],
    backoffMaxSeconds: e[E.backoffMaxSeconds],
    maxConsecutiveFailures: e[E.maxConsecutiveFailures],
  });
}

/** API.md's local configuration, read once at the edge from the environment and passed down. */
const EnvironmentSchema = z
  .extend(PolicyEnvironment, {
    [E.port]: z._default(port, 3000),
    [E.stepFunctionsPort]: z.optional(port),
    [E.eventBridgePort]: z.optional(port),
    [E.token]: z.optional(z.string().check(z.minLength(1))),
    // A sweep at least once a day: the sweeper is what repairs missed events and orphaned locks.
    [E.sweepIntervalSeconds]: integer(60, 1, 86_400),
    [E.localTableName]: z._default(z.string().check(z.minLength(3)), DEFAULT_TABLE_NAME),
    [E.dynamodbEndpoint]: z.optional(z.url()),
    [E.dataDir]: z.optional(z.string().check(z.minLength(1))),
    [E.workflowsDir]: z.optional(z.string().check(z.minLength(1))),
    [E.tokensFile]: z.optional(z.string().check(z.minLength(1))),
  })
  .check(z.superRefine(checkBackoff));

export interface LocalConfig {
  /** The API's port; 0 for any free one. */
  port: number;
  /** The local Step Functions endpoint's port (API.md: PORT+1); 0 or absent for any free one. */
  stepFunctionsPort?: number;
  /** The local EventBridge endpoint's port (API.md: PORT+2); 0 or absent for any free one. */
  eventBridgePort?: number;
  /** `LOCKSTEP_TOKEN`; absent: the token kept in `dataDir`, else a new one (lib/local/local-token.ts). */
  token?: string;
  policy: Policy;
  sweepIntervalSeconds: number;
  tableName: string;
  dynamodbEndpoint?: string;
  dataDir?: string;
  /** The user's workflows folder; the built-in workflows are always there too. */
  workflowsDir?: string;
  /** `LOCKSTEP_TOKENS_FILE`: more tokens, read and checked at start (lib/local/local-token.ts, `parseTokensFile`). */
  tokensFile?: string;
}

/**
 * A setting that cannot be used: the process must not start. A LockstepError, but no HTTP answer: the
 * API's error mapper (`errorResponse`) names only the errors a request can cause, so this one, should it
 * ever reach it, stays a 500.
 */
export class ConfigurationError extends LockstepError {}

function parseEnvironment<T extends z.ZodMiniType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  // An empty variable means "not set", as shells and .env files usually intend.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = problemsIn(parsed.error)
      .map(({ at, path, message }) => `${at}=${JSON.stringify(present[String(path[0])] ?? '')} ${message}`)
      .join('; ');
    throw new ConfigurationError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** Port `offset` above PORT unless set (0 stays 0: every endpoint on any free port). */
function portBeside(e: { [E.port]: number }, own: number | undefined, name: string, offset: number): number {
  if (own !== undefined) return own;
  if (e[E.port] === 0) return 0;
  const derived = e[E.port] + offset;
  if (derived > 65535)
    throw new ConfigurationError(
      `invalid configuration: ${name} defaults to ${E.port}+${offset} = ${derived}, which is not a port; set ${name}`,
    );
  return derived;
}

export function readLocalConfig(env: Record<string, string | undefined>): LocalConfig {
  const e = parseEnvironment(EnvironmentSchema, env);
  return {
    port: e[E.port],
    stepFunctionsPort: portBeside(e, e[E.stepFunctionsPort], E.stepFunctionsPort, 1),
    eventBridgePort: portBeside(e, e[E.eventBridgePort], E.eventBridgePort, 2),
    ...(e[E.token] && { token: e[E.token] }),
    policy: policyFrom(e),
    sweepIntervalSeconds: e[E.sweepIntervalSeconds],
    tableName: e[E.localTableName],
    ...(e[E.dynamodbEndpoint] && { dynamodbEndpoint: e[E.dynamodbEndpoint] }),
    ...(e[E.dataDir] && { dataDir: e[E.dataDir] }),
    ...(e[E.workflowsDir] && { workflowsDir: e[E.workflowsDir] }),
    ...(e[E.tokensFile] && { tokensFile: e[E.tokensFile] }),
  };
}

/** A variable holding JSON that `schema` accepts; anything else is refused with what it must be. */
function jsonVariable<T extends z.ZodMiniType>(schema: T, what: string) {
  return z.pipe(
    z.string(),
    z.transform((text: string, ctx): z.infer<T> => {
      try {
        return schema.parse(JSON.parse(text)) as z.infer<T>;
      } catch {
        ctx.issues.push({ code: 'custom', message: `must be ${what}`, input: text });
        return z.NEVER;
      }
    }),
  );
}

const StateMachineArnsSchema = z.record(z.string(), z.string());

const LambdaEnvironmentSchema = z
  .extend(PolicyEnvironment, {
    /** Where deadline schedules go (DeadlineSchedules); without them the sweeper alone enforces deadlines. */
    [E.deadlineScheduleGroup]: z.optional(z.string().check(z.minLength(1))),
    [E.deadlineTargetArn]: z.optional(z.string().check(z.startsWith('arn:'))),
    [E.deadlineRoleArn]: z.optional(z.string().check(z.startsWith('arn:'))),
    [E.region]: z.string().check(z.minLength(1)),
    [E.tableName]: z.string().check(z.minLength(3)),
    /** Only for the functions that admit through the idempotency layer (the API and the trigger). */
    [E.idempotencyTableName]: z.optional(z.string().check(z.minLength(3))),
    [E.intermediaries]: z.optional(
      jsonVariable(z.array(z.string().check(z.minLength(1))), 'a JSON array of IAM principal ARN patterns'),
    ),
    [E.stateMachineArns]: jsonVariable(StateMachineArnsSchema, 'a JSON object of state machine ARNs by name'),
  })
  .check(z.superRefine(checkBackoff));

/** Where an engine function creates its deadline schedules (see DeadlineSchedules). */
export interface DeadlineScheduleSettings {
  groupName: string;
  /** The engine's bus, where a firing schedule puts its deadline event. */
  targetArn: string;
  /** The role EventBridge Scheduler puts it with. */
  roleArn: string;
}

/** The settings of an engine function (api, trigger, status, sweeper). */
export interface LambdaSettings {
  region: string;
  tableName: string;
  idempotencyTableName?: string;
  /** The state machine of each workflow version, by its name (see lib/workflows/state-machines.ts). */
  stateMachineArns: Record<string, string>;
  policy: Policy;
  deadlineSchedules?: DeadlineScheduleSettings;
  /** The construct's `intermediaries` (only the api function has them): principal ARN patterns, `*` any run of characters. */
  intermediaries?: string[];
}

/** The settings of a Lambda function, from the environment the CDK app gives it. */
export function readLambdaSettings(env: Record<string, string | undefined>): LambdaSettings {
  const e = parseEnvironment(LambdaEnvironmentSchema, env);
  const groupName = e[E.deadlineScheduleGroup];
  const targetArn = e[E.deadlineTargetArn];
  const roleArn = e[E.deadlineRoleArn];
  return {
    region: e[E.region],
    tableName: e[E.tableName],
    ...(e[E.idempotencyTableName] && { idempotencyTableName: e[E.idempotencyTableName] }),
    stateMachineArns: e[E.stateMachineArns],
    policy: policyFrom(e),
    ...(e[E.intermediaries] && { intermediaries: e[E.intermediaries] }),
    ...(groupName && targetArn && roleArn && { deadlineSchedules: { groupName, targetArn, roleArn } }),
  };
}

/** The deploy-time workflow versions check (functions/workflow-versions.ts) needs only the table. */
export function readWorkflowVersionsSettings(env: Record<string, string | undefined>) {
  const e = parseEnvironment(
    z.object({ [E.region]: z.string().check(z.minLength(1)), [E.tableName]: z.string().check(z.minLength(3)) }),
    env,
  );
  return { region: e[E.region], tableName: e[E.tableName] };
}

/** The outbox's publisher (functions/publisher.ts) needs only the bus it puts domain events on. */
export function readPublisherSettings(env: Record<string, string | undefined>): { eventBusName: string } {
  const e = parseEnvironment(z.object({ [E.eventBusName]: z.string().check(z.minLength(1)) }), env);
  return { eventBusName: e[E.eventBusName] };
}

/**
 * The writers: what the CDK app puts in each function's environment, one per reader above, so
 * that what a writer writes its reader reads back. Values may be CDK tokens (a table's name, a
 * role's ARN), which resolve at deploy.
 */
export interface EngineFunctionSettings extends Omit<LambdaSettings, 'region' | 'policy'> {
  policy: PolicySettings;
}

/**
 * The environment of an engine function (readLambdaSettings). `toJson` writes the state
 * machines' ARNs: the CDK app passes `stack.toJsonString`, since its ARNs are tokens.
 */
export function engineFunctionEnvironment(
  settings: EngineFunctionSettings,
  toJson: (value: Record<string, string> | readonly string[]) => string = JSON.stringify,
): Record<string, string> {
  const { deadlineSchedules: deadlines, policy } = settings;
  return {
    [E.tableName]: settings.tableName,
    ...(deadlines && {
      [E.deadlineScheduleGroup]: deadlines.groupName,
      [E.deadlineTargetArn]: deadlines.targetArn,
      [E.deadlineRoleArn]: deadlines.roleArn,
    }),
    [E.stateMachineArns]: toJson(settings.stateMachineArns),
    [E.cooldownSeconds]: String(policy.cooldownSeconds),
    [E.backoffBaseSeconds]: String(policy.backoffBaseSeconds),
    [E.backoffMaxSeconds]: String(policy.backoffMaxSeconds),
    [E.maxConsecutiveFailures]: String(policy.maxConsecutiveFailures),
    ...(settings.idempotencyTableName !== undefined && { [E.idempotencyTableName]: settings.idempotencyTableName }),
    ...(settings.intermediaries?.length && { [E.intermediaries]: toJson(settings.intermediaries) }),
  };
}

/** The environment of the deploy-time workflow versions check (readWorkflowVersionsSettings). */
export function workflowVersionsEnvironment(settings: { tableName: string }): Record<string, string> {
  return { [E.tableName]: settings.tableName };
}

/** The environment of the outbox's publisher (readPublisherSettings). */
export function publisherEnvironment(settings: { eventBusName: string }): Record<string, string> {
  return { [E.eventBusName]: settings.eventBusName };
}

/** What every function the CDK app deploys gets, the step handlers' too: source maps in stack traces. */
export function sourceMapsEnvironment(): Record<string, string> {
  return { [E.nodeOptions]: '--enable-source-maps' };
}

/** What every engine function gets besides its settings: source maps, and Powertools' service name. */
export function engineRuntimeEnvironment(): Record<string, string> {
  return { ...sourceMapsEnvironment(), [E.powertoolsServiceName]: 'lockstep' };
}
