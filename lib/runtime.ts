import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbStore } from './adapters/dynamodb/dynamodb-store.js';
import { EventBridgePublisher } from './adapters/eventbridge/domain-event-publisher.js';
import { EmfMetrics } from './adapters/metrics/emf-metrics.js';
import { DeadlineSchedules } from './adapters/scheduler/deadline-schedules.js';
import { SfnDriver } from './adapters/stepfunctions/sfn-driver.js';
import { readLambdaSettings } from './config.js';
import type { Policy } from './domain/policies.js';
import { join } from 'node:path';
import type { Clock, DeadlineScheduler, WorkflowCatalog } from './ports.js';
import type { Engine } from './use-cases/engine.js';
import { CATALOG_FILE_NAME, readCatalogFile } from './workflows/catalog.js';
import { StateMachineArns } from './workflows/state-machines.js';

/** Everything the engine's wiring depends on; Lambda reads it from the environment, local mode from what it started. */
export interface RuntimeSettings {
  region: string;
  tableName: string;
  idempotencyTableName: string;
  eventBusName: string;
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
  /** On AWS: deadlines as EventBridge Scheduler one-time schedules that invoke the sweeper. */
  deadlineSchedules?: { groupName: string; targetArn: string; roleArn: string };
}

export interface Runtime {
  engine: Engine;
  logger: Logger;
  idempotencyStore: DynamoDBPersistenceLayer;
  clients: { dynamodb: DynamoDBClient; stepfunctions: SFNClient; eventbridge: EventBridgeClient };
  destroy(): void;
}

export const systemClock: Clock = { now: () => new Date() };

/** Builds the clients, adapters and engine once (at module scope in a Lambda); local mode only swaps endpoints. */
export function buildRuntime(settings: RuntimeSettings): Runtime {
  const base = { region: settings.region, ...(settings.credentials && { credentials: settings.credentials }) };
  const dynamodb = new DynamoDBClient({ ...base, ...(settings.endpoints?.dynamodb && { endpoint: settings.endpoints.dynamodb }) });
  const stepfunctions = new SFNClient({ ...base, ...(settings.endpoints?.stepfunctions && { endpoint: settings.endpoints.stepfunctions }) });
  const eventbridge = new EventBridgeClient({ ...base, ...(settings.endpoints?.eventbridge && { endpoint: settings.endpoints.eventbridge }) });
  const logger = settings.logger ?? new Logger({ serviceName: 'lockstep' });
  const scheduler = settings.deadlineSchedules && new SchedulerClient(base);
  const deadlines = settings.deadlines ?? (scheduler && settings.deadlineSchedules && new DeadlineSchedules({ client: scheduler, ...settings.deadlineSchedules }));
  const engine: Engine = {
    store: new DynamoDbStore({ client: dynamodb, tableName: settings.tableName }),
    driver: new SfnDriver(stepfunctions),
    catalog: settings.catalog,
    stateMachines: new StateMachineArns(settings.stateMachineArns),
    metrics: new EmfMetrics(settings.writeMetrics ? { write: settings.writeMetrics } : {}),
    publisher: new EventBridgePublisher(eventbridge, settings.eventBusName),
    logger,
    clock: settings.clock ?? systemClock,
    policy: settings.policy,
    newId: randomUUID,
    actor: 'lockstep',
    ...(deadlines && { deadlines }),
  };
  return {
    engine,
    logger,
    idempotencyStore: new DynamoDBPersistenceLayer({ tableName: settings.idempotencyTableName, awsSdkV3Client: dynamodb }),
    clients: { dynamodb, stepfunctions, eventbridge },
    destroy() {
      dynamodb.destroy();
      stepfunctions.destroy();
      eventbridge.destroy();
      scheduler?.destroy();
    },
  };
}

/**
 * The runtime of a Lambda function: settings from its environment, and the catalog from the
 * file the CDK app put beside the bundle (the loaded workflow versions, without definitions).
 */
export function buildLambdaRuntime(env: Record<string, string | undefined>): Runtime {
  const catalogFile = join(env.LAMBDA_TASK_ROOT ?? process.cwd(), CATALOG_FILE_NAME);
  return buildRuntime({ ...readLambdaSettings(env), catalog: readCatalogFile(catalogFile) });
}
