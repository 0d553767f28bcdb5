import { DEFAULT_TABLE_NAME } from '../adapters/dynamodb/table-definition.js';
import { decimalInteger } from '../domain/decimal-integer.js';
import { DEFAULT_POLICY, POLICY_BOUNDS, type Policy, PolicySchema } from '../domain/policies.js';
import * as z from '../domain/zod.js';

/** A whole number in [min, max]; its variable is named by the error path. */
const integer = (fallback: number, min: number, max: number) => z._default(decimalInteger(min, max), fallback);

const port = decimalInteger(0, 65535);

/** The policy settings, the same for local mode and Lambda. A backoff base above its max would make the max meaningless. */
const PolicyEnvironment = z.object({
  LOCKSTEP_COOLDOWN_SECONDS: integer(DEFAULT_POLICY.cooldownSeconds, ...POLICY_BOUNDS.cooldownSeconds),
  LOCKSTEP_BACKOFF_BASE_SECONDS: integer(DEFAULT_POLICY.backoffBaseSeconds, ...POLICY_BOUNDS.backoffBaseSeconds),
  LOCKSTEP_BACKOFF_MAX_SECONDS: integer(DEFAULT_POLICY.backoffMaxSeconds, ...POLICY_BOUNDS.backoffMaxSeconds),
  LOCKSTEP_MAX_CONSECUTIVE_FAILURES: integer(
    DEFAULT_POLICY.maxConsecutiveFailures,
    ...POLICY_BOUNDS.maxConsecutiveFailures,
  ),
});
type PolicyEnvironment = z.infer<typeof PolicyEnvironment>;

function checkBackoff(e: PolicyEnvironment, ctx: z.core.$RefinementCtx<PolicyEnvironment>): void {
  if (e.LOCKSTEP_BACKOFF_BASE_SECONDS > e.LOCKSTEP_BACKOFF_MAX_SECONDS) {
    ctx.addIssue({
      code: 'custom',
      path: ['LOCKSTEP_BACKOFF_BASE_SECONDS'],
      message: `${e.LOCKSTEP_BACKOFF_BASE_SECONDS} is above LOCKSTEP_BACKOFF_MAX_SECONDS (${e.LOCKSTEP_BACKOFF_MAX_SECONDS}); the base must not exceed the max`,
    });
  }
}

function policyFrom(e: PolicyEnvironment): Policy {
  return PolicySchema.parse({
    cooldownSeconds: e.LOCKSTEP_COOLDOWN_SECONDS,
    backoffBaseSeconds: e.LOCKSTEP_BACKOFF_BASE_SECONDS,
    backoffMaxSeconds: e.LOCKSTEP_BACKOFF_MAX_SECONDS,
    maxConsecutiveFailures: e.LOCKSTEP_MAX_CONSECUTIVE_FAILURES,
  });
}

/** API.md's local configuration, read once at the edge from the environment and passed down. */
const EnvironmentSchema = z
  .extend(PolicyEnvironment, {
    PORT: z._default(port, 3000),
    LOCKSTEP_STEPFUNCTIONS_PORT: z.optional(port),
    LOCKSTEP_EVENTBRIDGE_PORT: z.optional(port),
    LOCKSTEP_TOKEN: z.optional(z.string().check(z.minLength(1))),
    // A sweep at least once a day: the sweeper is what repairs missed events and orphaned locks.
    LOCKSTEP_SWEEP_INTERVAL_SECONDS: integer(60, 1, 86_400),
    LOCKSTEP_TABLE_NAME: z._default(z.string().check(z.minLength(3)), DEFAULT_TABLE_NAME),
    DYNAMODB_ENDPOINT: z.optional(z.url()),
    LOCKSTEP_DATA_DIR: z.optional(z.string().check(z.minLength(1))),
    LOCKSTEP_WORKFLOWS_DIR: z.optional(z.string().check(z.minLength(1))),
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
}

export class ConfigurationError extends Error {}

function parseEnvironment<T extends z.ZodMiniType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  // An empty variable means "not set", as shells and .env files usually intend.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map(
        (issue) => `${issue.path.join('.')}=${JSON.stringify(present[String(issue.path[0])] ?? '')} ${issue.message}`,
      )
      .join('; ');
    throw new ConfigurationError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** Port `offset` above PORT unless set (0 stays 0: every endpoint on any free port). */
function portBeside(e: { PORT: number }, own: number | undefined, name: string, offset: number): number {
  if (own !== undefined) return own;
  if (e.PORT === 0) return 0;
  const derived = e.PORT + offset;
  if (derived > 65535)
    throw new ConfigurationError(
      `invalid configuration: ${name} defaults to PORT+${offset} = ${derived}, which is not a port; set ${name}`,
    );
  return derived;
}

export function readLocalConfig(env: Record<string, string | undefined>): LocalConfig {
  const e = parseEnvironment(EnvironmentSchema, env);
  return {
    port: e.PORT,
    stepFunctionsPort: portBeside(e, e.LOCKSTEP_STEPFUNCTIONS_PORT, 'LOCKSTEP_STEPFUNCTIONS_PORT', 1),
    eventBridgePort: portBeside(e, e.LOCKSTEP_EVENTBRIDGE_PORT, 'LOCKSTEP_EVENTBRIDGE_PORT', 2),
    ...(e.LOCKSTEP_TOKEN && { token: e.LOCKSTEP_TOKEN }),
    policy: policyFrom(e),
    sweepIntervalSeconds: e.LOCKSTEP_SWEEP_INTERVAL_SECONDS,
    tableName: e.LOCKSTEP_TABLE_NAME,
    ...(e.DYNAMODB_ENDPOINT && { dynamodbEndpoint: e.DYNAMODB_ENDPOINT }),
    ...(e.LOCKSTEP_DATA_DIR && { dataDir: e.LOCKSTEP_DATA_DIR }),
    ...(e.LOCKSTEP_WORKFLOWS_DIR && { workflowsDir: e.LOCKSTEP_WORKFLOWS_DIR }),
  };
}

const StateMachineArnsSchema = z.record(z.string(), z.string());

const LambdaEnvironmentSchema = z
  .extend(PolicyEnvironment, {
    /** Where deadline schedules go (DeadlineSchedules); without them the sweeper alone enforces deadlines. */
    DEADLINE_SCHEDULE_GROUP: z.optional(z.string().check(z.minLength(1))),
    DEADLINE_TARGET_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
    DEADLINE_ROLE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
    AWS_REGION: z.string().check(z.minLength(1)),
    TABLE_NAME: z.string().check(z.minLength(3)),
    /** Only for the functions that admit through the idempotency layer (the API and the trigger). */
    IDEMPOTENCY_TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
    STATE_MACHINE_ARNS: z.pipe(
      z.string(),
      z.transform((text: string, ctx) => {
        try {
          return StateMachineArnsSchema.parse(JSON.parse(text));
        } catch {
          ctx.issues.push({
            code: 'custom',
            message: 'must be a JSON object of state machine ARNs by name',
            input: text,
          });
          return z.NEVER;
        }
      }),
    ),
  })
  .check(z.superRefine(checkBackoff));

/** The settings of a Lambda function, from the environment the CDK app gives it. */
export function readLambdaSettings(env: Record<string, string | undefined>) {
  const e = parseEnvironment(LambdaEnvironmentSchema, env);
  return {
    region: e.AWS_REGION,
    tableName: e.TABLE_NAME,
    ...(e.IDEMPOTENCY_TABLE_NAME && { idempotencyTableName: e.IDEMPOTENCY_TABLE_NAME }),
    stateMachineArns: e.STATE_MACHINE_ARNS,
    policy: policyFrom(e),
    ...(e.DEADLINE_SCHEDULE_GROUP &&
      e.DEADLINE_TARGET_ARN &&
      e.DEADLINE_ROLE_ARN && {
        deadlineSchedules: {
          groupName: e.DEADLINE_SCHEDULE_GROUP,
          targetArn: e.DEADLINE_TARGET_ARN,
          roleArn: e.DEADLINE_ROLE_ARN,
        },
      }),
  };
}

/** The deploy-time workflow versions check (functions/workflow-versions.ts) needs only the table. */
export function readWorkflowVersionsSettings(env: Record<string, string | undefined>) {
  const e = parseEnvironment(
    z.object({ AWS_REGION: z.string().check(z.minLength(1)), TABLE_NAME: z.string().check(z.minLength(3)) }),
    env,
  );
  return { region: e.AWS_REGION, tableName: e.TABLE_NAME };
}
