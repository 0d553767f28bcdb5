import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbStore } from '../adapters/dynamodb/dynamodb-store.js';
import { EmfMetrics } from '../adapters/metrics/emf-metrics.js';
import { loadRe2js } from '../adapters/patterns/re2js-engine.js';
import type { deadlineSchedules } from '../adapters/scheduler/deadline-schedules.js';
import { SfnDriver } from '../adapters/stepfunctions/sfn-driver.js';
import { ConfigurationError, readLambdaSettings } from '../contract/environment.js';
import type { Policy } from '../domain/policies.js';
import { usePatternEngine } from '../domain/user-pattern.js';
import type { Clock, DeadlineScheduler, WorkflowCatalog } from '../ports/index.js';
import type { Engine } from '../use-cases/engine.js';
import { CATALOG_FILE_NAME, readCatalogFile } from '../workflows/catalog.js';
import { StateMachineArns } from '../workflows/state-machines.js';
import { engineLogger } from './engine-logger.js';

/** Everything the engine's wiring depends on; Lambda reads it from the environment, local mode from what it started. */
export interface RuntimeSettings {
  region: string;
  tableName: string;
  /** Where the idempotency layer keeps its records; required with the `idempotency` part. */
  idempotencyTableName?: string;
  /** The workflows the engine may run. */
  catalog: WorkflowCatalog;
  /** State machine ARNs by state machine name (`lockstep-<workflow>-v<version>`). */
  stateMachineArns: Record<string, string>;
  policy: Policy;
  /** Service endpoints to use instead of AWS's (local mode, LocalStack). */
  endpoints?: { dynamodb?: string; stepfunctions?: string; eventbridge?: string };
  /** Static credentials (local mode); the default provider chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  clock?: Clock;
  /** Where EMF lines go; standard output when absent. */
  writeMetrics?: (line: string) => void;
  logger?: Logger;
  /** Enforces deadlines when they pass: local mode's timers, given as they are. */
  deadlines?: DeadlineScheduler;
  /** Since when the Step Functions endpoint knows every run it started (`Engine.runsKnownSince`); undefined on AWS. */
  runsKnownSince?: Date;
  /** On AWS: deadlines as EventBridge Scheduler one-time schedules that invoke the sweeper. */
  deadlineSchedules?: { groupName: string; targetArn: string; roleArn: string };
}

/**
 * What only some callers need, handed in by those that do. Each Lambda function is bundled
 * from what its entry imports; a part built here for every function would be in every bundle
 * and parsed at every cold start (Powertools idempotency is about 35 KiB of a minified bundle,
 * and a module that is imported stays in it even where it is never used).
 */
export interface RuntimeParts {
  /** The idempotency layer's store (`DynamoDBPersistenceLayer`), on the engine's DynamoDB client: the API, the trigger and local mode admit through it. */
  idempotency?: typeof DynamoDBPersistenceLayer;
  /**
   * Deadlines as EventBridge Scheduler schedules (`deadlineSchedules`), with `settings.deadlineSchedules`: for the
   * functions where runs start and end (status, sweeper). The API and the trigger only admit and
   * cancel; the run a cancel stops is disarmed by the status function when its ABORTED event comes.
   */
  deadlineSchedules?: typeof deadlineSchedules;
}

export interface Runtime {
  engine: Engine;
  logger: Logger;
  clients: { dynamodb: DynamoDBClient; stepfunctions: SFNClient };
  destroy(): void;
}

/** A runtime built with the `idempotency` part. */
export interface IdempotentRuntime extends Runtime {
  idempotencyStore: DynamoDBPersistenceLayer;
}

export const systemClock: Clock = { now: () => new Date() };

// Admission compiles the patterns of the workflow it admits for, on the first such request (lib/domain/user-pattern.ts).
usePatternEngine(loadRe2js);

/**
 * The one engine factory: builds the clients, adapters and engine once (at module scope in a
 * Lambda), for the functions, local mode (which only swaps endpoints) and tools alike.
 */
export function buildRuntime(
  settings: RuntimeSettings,
  parts: RuntimeParts & Required<Pick<RuntimeParts, 'idempotency'>>,
): IdempotentRuntime;
export function buildRuntime(settings: RuntimeSettings, parts?: RuntimeParts): Runtime;
export function buildRuntime(settings: RuntimeSettings, parts: RuntimeParts = {}): Runtime | IdempotentRuntime {
  const base = { region: settings.region, ...(settings.credentials && { credentials: settings.credentials }) };
  const dynamodb = new DynamoDBClient({
    ...base,
    ...(settings.endpoints?.dynamodb && { endpoint: settings.endpoints.dynamodb }),
  });
  const stepfunctions = new SFNClient({
    ...base,
    ...(settings.endpoints?.stepfunctions && { endpoint: settings.endpoints.stepfunctions }),
  });
  const logger = settings.logger ?? engineLogger();
  const schedules =
    !settings.deadlines && settings.deadlineSchedules && parts.deadlineSchedules
      ? parts.deadlineSchedules(base, settings.deadlineSchedules)
      : undefined;
  const deadlines = settings.deadlines ?? schedules?.deadlines;
  const engine: Engine = {
    store: new DynamoDbStore({ client: dynamodb, tableName: settings.tableName }),
    driver: new SfnDriver(stepfunctions),
    catalog: settings.catalog,
    stateMachines: new StateMachineArns(settings.stateMachineArns),
    metrics: new EmfMetrics(settings.writeMetrics ? { write: settings.writeMetrics } : {}),
    logger,
    clock: settings.clock ?? systemClock,
    policy: settings.policy,
    newId: randomUUID,
    actor: 'lockstep',
    ...(deadlines && { deadlines }),
    ...(settings.runsKnownSince && { runsKnownSince: settings.runsKnownSince }),
  };
  const runtime: Runtime = {
    engine,
    logger,
    clients: { dynamodb, stepfunctions },
    destroy() {
      dynamodb.destroy();
      stepfunctions.destroy();
      schedules?.destroy();
    },
  };
  if (!parts.idempotency) return runtime;
  if (!settings.idempotencyTableName)
    throw new ConfigurationError(
      'invalid configuration: the idempotency layer needs idempotencyTableName (IDEMPOTENCY_TABLE_NAME)',
    );
  return {
    ...runtime,
    idempotencyStore: new parts.idempotency({ tableName: settings.idempotencyTableName, awsSdkV3Client: dynamodb }),
  };
}

/**
 * The runtime of a Lambda function: settings from its environment, the catalog from the file
 * the CDK app put beside the bundle (the loaded workflow versions, without definitions), and
 * the parts that function needs.
 */
export function buildLambdaRuntime(
  env: Record<string, string | undefined>,
  parts: RuntimeParts & Required<Pick<RuntimeParts, 'idempotency'>>,
): IdempotentRuntime;
export function buildLambdaRuntime(env: Record<string, string | undefined>, parts?: RuntimeParts): Runtime;
export function buildLambdaRuntime(
  env: Record<string, string | undefined>,
  parts: RuntimeParts = {},
): Runtime | IdempotentRuntime {
  const catalogFile = join(env.LAMBDA_TASK_ROOT ?? process.cwd(), CATALOG_FILE_NAME);
  return buildRuntime({ ...readLambdaSettings(env), catalog: readCatalogFile(catalogFile) }, parts);
}
