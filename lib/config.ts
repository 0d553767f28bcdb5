import { z } from 'zod';
import { DEFAULT_TABLE_NAME } from './adapters/dynamodb/table-definition.js';
import { PolicySchema, type Policy } from './domain/policies.js';

const integer = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** API.md's local configuration, read once at the edge from the environment and passed down. */
const EnvironmentSchema = z.object({
  PORT: integer(3000, 1),
  LOCKSTEP_TOKEN: z.string().min(1).optional(),
  LOCKSTEP_COOLDOWN_SECONDS: integer(300),
  LOCKSTEP_BACKOFF_BASE_SECONDS: integer(60, 1),
  LOCKSTEP_BACKOFF_MAX_SECONDS: integer(600, 1),
  LOCKSTEP_MAX_CONSECUTIVE_FAILURES: integer(5, 1),
  LOCKSTEP_SWEEP_INTERVAL_SECONDS: integer(60, 1),
  LOCKSTEP_TABLE_NAME: z.string().min(3).default(DEFAULT_TABLE_NAME),
  DYNAMODB_ENDPOINT: z.url().optional(),
  LOCKSTEP_DATA_DIR: z.string().min(1).optional(),
});

export interface LocalConfig {
  port: number;
  token?: string;
  policy: Policy;
  sweepIntervalSeconds: number;
  tableName: string;
  dynamodbEndpoint?: string;
  dataDir?: string;
}

export class ConfigurationError extends Error {}

export function readLocalConfig(env: Record<string, string | undefined>): LocalConfig {
  // An empty variable means "not set", as shells and .env files usually intend.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvironmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigurationError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    ...(e.LOCKSTEP_TOKEN && { token: e.LOCKSTEP_TOKEN }),
    policy: PolicySchema.parse({
      cooldownSeconds: e.LOCKSTEP_COOLDOWN_SECONDS,
      backoffBaseSeconds: e.LOCKSTEP_BACKOFF_BASE_SECONDS,
      backoffMaxSeconds: e.LOCKSTEP_BACKOFF_MAX_SECONDS,
      maxConsecutiveFailures: e.LOCKSTEP_MAX_CONSECUTIVE_FAILURES,
    }),
    sweepIntervalSeconds: e.LOCKSTEP_SWEEP_INTERVAL_SECONDS,
    tableName: e.LOCKSTEP_TABLE_NAME,
    ...(e.DYNAMODB_ENDPOINT && { dynamodbEndpoint: e.DYNAMODB_ENDPOINT }),
    ...(e.LOCKSTEP_DATA_DIR && { dataDir: e.LOCKSTEP_DATA_DIR }),
  };
}

const LambdaEnvironmentSchema = z.object({
  AWS_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(3),
  IDEMPOTENCY_TABLE_NAME: z.string().min(3),
  EVENT_BUS_NAME: z.string().min(1),
  STATE_MACHINE_ARNS: z.string().transform((text, ctx) => {
    try {
      return z.record(z.string(), z.string()).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of state machine ARNs by name' });
      return z.NEVER;
    }
  }),
  LOCKSTEP_COOLDOWN_SECONDS: integer(300),
  LOCKSTEP_BACKOFF_BASE_SECONDS: integer(60, 1),
  LOCKSTEP_BACKOFF_MAX_SECONDS: integer(600, 1),
  LOCKSTEP_MAX_CONSECUTIVE_FAILURES: integer(5, 1),
});

/** The settings of a Lambda function, from the environment the CDK app gives it. */
export function readLambdaSettings(env: Record<string, string | undefined>) {
  const parsed = LambdaEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new ConfigurationError(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  return {
    region: e.AWS_REGION,
    tableName: e.TABLE_NAME,
    idempotencyTableName: e.IDEMPOTENCY_TABLE_NAME,
    eventBusName: e.EVENT_BUS_NAME,
    stateMachineArns: e.STATE_MACHINE_ARNS,
    policy: PolicySchema.parse({
      cooldownSeconds: e.LOCKSTEP_COOLDOWN_SECONDS,
      backoffBaseSeconds: e.LOCKSTEP_BACKOFF_BASE_SECONDS,
      backoffMaxSeconds: e.LOCKSTEP_BACKOFF_MAX_SECONDS,
      maxConsecutiveFailures: e.LOCKSTEP_MAX_CONSECUTIVE_FAILURES,
    }),
  };
}
