import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { backfillIndexKeys } from '../adapters/dynamodb/index-backfill.js';
import { ensureIdempotencyTable, ensureTable } from '../adapters/dynamodb/table-setup.js';
import { checkWorkflowDigests, rememberWorkflowDigests } from '../adapters/dynamodb/workflow-digests.js';
import { EventBridgePublisher } from '../adapters/eventbridge/domain-event-publisher.js';
import type { LocalConfig } from '../contract/environment.js';
import { busNameOf, ENGINE_BUS_NAME, ENGINE_RULES, patternOf } from '../contract/events.js';
import { DEFAULT_IDEMPOTENCY_TABLE_NAME } from '../contract/table.js';
import { type Authenticator, bearerTokenAuthenticator } from '../handlers/authenticators.js';
import type { Clock } from '../ports/index.js';
import { searchEventPath } from '../runtime/engine-logger.js';
import { apiFunction } from '../runtime/functions/api.js';
import { publisherFunction } from '../runtime/functions/publisher.js';
import { statusFunction } from '../runtime/functions/status.js';
import { sweeperFunction } from '../runtime/functions/sweeper.js';
import { triggerFunction } from '../runtime/functions/trigger.js';
import { type FunctionDefinition, localHandler } from '../runtime/handler-factory.js';
import { buildRuntime, type IdempotentRuntime, systemClock } from '../runtime/runtime.js';
import { enforceDeadlineOf } from '../use-cases/enforce-deadline.js';
import type { Engine } from '../use-cases/engine.js';
import { localCatalog } from '../workflows/catalog.js';
import { loadWorkflowCatalog, WorkflowFolderError } from '../workflows/load-workflows.js';
import { startApiServer } from './api-server.js';
import { LocalDeadlineTimers } from './deadline-timers.js';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDynamoDbClient,
  type RunningDynamoDbLocal,
  startDynamoDbLocal,
} from './dynamodb-local.js';
import { DynamoDbStreamReader } from './dynamodb-stream-reader.js';
import { localDynamoDbStreamsClient } from './dynamodb-streams-client.js';
import { startEventBridgeEndpoint } from './eventbridge/http-endpoint.js';
import { type DeliveredEvent, LocalEventBus } from './eventbridge/local-event-bus.js';
import { localToken, localTokens } from './local-token.js';
import { sigV4Verifier } from './sigv4-authentication.js';
import { StdoutLogger } from './stdout-logger.js';
import { deployCatalog } from './stepfunctions/deploy-catalog.js';
import { startStepFunctionsEndpoint } from './stepfunctions/http-endpoint.js';
import { LocalStepFunctions } from './stepfunctions/local-step-functions.js';
import { localSteps } from './stepfunctions/local-steps.js';
import { SIMULATED_TASKS } from './stepfunctions/simulated-tasks.js';
import { setLongInterval } from './timers.js';

/** In the data folder: how far the table's stream has been published, so that a restart neither loses nor repeats events. */
const STREAM_CHECKPOINT_FILE = 'stream-checkpoint.json';

export interface LocalModeOptions {
  /** Progress lines for a person watching the start. */
  progress?: (line: string) => void;
  /** Where EMF lines go (standard output by default, as on Lambda). */
  writeMetrics?: (line: string) => void;
  clock?: Clock;
  /** Who may call the API. Default: the bearer token of API.md. */
  authenticate?: Authenticator;
  /** The clock SigV4 signatures on the local AWS endpoints are checked against: the machine's, which signing clients read (default). */
  signingClock?: Clock;
}

export interface LocalMode {
  urls: { api: string; dynamodb: string; stepfunctions: string; eventbridge: string };
  token: string;
  /** What an AWS SDK client or the AWS CLI signs with for the local Step Functions and EventBridge endpoints (any region). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  runtime: IdempotentRuntime;
  bus: LocalEventBus;
  stepFunctions: LocalStepFunctions;
  /** Reads the table's stream and publishes the domain events (`idle()` once caught up). */
  streamReader: DynamoDbStreamReader;
  /** The client the outbox puts domain events on the bus with (a benchmark or a test can make it fail). */
  outboxClient: EventBridgeClient;
  dynamodbPid?: number;
  stop(): Promise<void>;
}

/**
 * The whole engine on one machine, started in order with a health check after each step:
 * storage up → tables ready → Step Functions and EventBridge endpoints up → API up. The
 * engine is the one of the Lambda functions, built by the same `buildRuntime`, and each
 * function's handler is built by the same factory (`localHandler`), with its middy chain and
 * logging keys: local mode swaps endpoints, not code paths.
 */
export async function startLocalMode(config: LocalConfig, options: LocalModeOptions = {}): Promise<LocalMode> {
  const progress = options.progress ?? (() => {});
  const clock = options.clock ?? systemClock;
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  // An invalid workflows folder refuses to start before anything runs, with every problem listed.
  const versions = loadWorkflowCatalog(config.workflowsDir);
  // Step modules load (and fail, naming the file) before anything starts; they then run in this process.
  const steps = await localSteps(versions);
  const token = localToken(config);
  // A bad tokens file refuses to start, each problem named, before anything listens.
  const tokens = localTokens(config, token);
  // The local AWS endpoints take SigV4 with the token as secret; DynamoDB Local reads only the access key id.
  const credentials = { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: token };
  // Each endpoint takes only signatures scoped to its own service, as AWS does.
  const authenticate = (service: 'events' | 'states') =>
    sigV4Verifier(token, options.signingClock ?? systemClock, service);
  try {
    let dynamodb: RunningDynamoDbLocal | undefined;
    let dynamodbEndpoint = config.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
      progress(`[1/5] starting DynamoDB Local (${config.dataDir ? `data in ${config.dataDir}` : 'in memory'})`);
      dynamodb = await startDynamoDbLocal(config.dataDir ? { dataDir: config.dataDir } : {});
      stops.push(() => dynamodb!.stop());
      if (dynamodb.warning) progress(`warning: ${dynamodb.warning}`);
      dynamodbEndpoint = dynamodb.endpoint;
    } else {
      progress(`[1/5] using DynamoDB at ${dynamodbEndpoint}`);
    }

    progress(`[2/5] creating tables ${config.tableName} and ${DEFAULT_IDEMPOTENCY_TABLE_NAME}`);
    const setupClient = localDynamoDbClient(dynamodbEndpoint);
    const { streamArn } = await ensureTable(setupClient, config.tableName);
    // A data folder an earlier version kept: its items get this layout's index keys (once).
    await backfillIndexKeys(setupClient, config.tableName);
    await ensureIdempotencyTable(setupClient, DEFAULT_IDEMPOTENCY_TABLE_NAME);
    const refuse = (changed: string[]) => {
      if (changed.length > 0)
        throw new WorkflowFolderError(config.workflowsDir ?? 'of the built-in workflows', changed);
    };
    refuse(await checkWorkflowDigests(setupClient, config.tableName, versions));

    progress('[3/5] starting the local Step Functions and EventBridge endpoints');
    // Every level on standard output, as the local mode guide says (Powertools sends WARN and ERROR to standard error).
    const logger = new StdoutLogger({ serviceName: 'lockstep', correlationIdSearchFn: searchEventPath });
    const bus = new LocalEventBus({
      clock,
      onDeliveryFailure: (rule, event, error) =>
        logger.error('event delivery failed', { rule, eventId: event.id, error: (error as Error).message }),
    });
    const stepFunctions = new LocalStepFunctions({
      clock,
      taskHandlers: { ...SIMULATED_TASKS, ...steps.taskHandlers },
      onStatusChange: (event) => bus.publish(event),
      // Every name it started, kept with the tables: after a restart none is run again.
      ...(config.dataDir && { dataDir: config.dataDir }),
    });
    stops.push(() => stepFunctions.shutdown());
    const sfnEndpoint = await startStepFunctionsEndpoint(
      stepFunctions,
      authenticate('states'),
      config.stepFunctionsPort,
    );
    stops.push(() => sfnEndpoint.close());
    const ebEndpoint = await startEventBridgeEndpoint(bus, authenticate('events'), config.eventBridgePort);
    stops.push(() => ebEndpoint.close());

    // Like the tables, the state machines exist before the engine is built on them.
    const setupSfn = new SFNClient({ endpoint: sfnEndpoint.url, region: LOCAL_REGION, credentials });
    await setupSfn.send(new ListStateMachinesCommand({}));
    const stateMachineArns = await deployCatalog(setupSfn, versions, (workflow) => steps.definitionFor(workflow));
    setupSfn.destroy();
    // Remembered once deployed: a start the interpreter refused leaves no version behind.
    refuse(await rememberWorkflowDigests(setupClient, config.tableName, versions));
    setupClient.destroy();
    // Deadlines are enforced when they pass; the engine they act on is the one built next.
    const built: { engine?: Engine } = {};
    const deadlines = new LocalDeadlineTimers({
      clock,
      check: (executionId) => enforceDeadlineOf(built.engine!, executionId),
      onError: (executionId, error) =>
        logger.error('enforcing a deadline failed', { executionId, error: (error as Error).message }),
    });
    stops.push(() => deadlines.cancelAll());
    const runtime = buildRuntime(
      {
        logger,
        region: LOCAL_REGION,
        credentials,
        tableName: config.tableName,
        idempotencyTableName: DEFAULT_IDEMPOTENCY_TABLE_NAME,
        stateMachineArns,
        catalog: localCatalog(versions),
        policy: config.policy,
        endpoints: { dynamodb: dynamodbEndpoint, stepfunctions: sfnEndpoint.url, eventbridge: ebEndpoint.url },
        clock,
        deadlines,
        // Without a data folder the endpoint forgets the runs of an earlier process, while a DynamoDB at DYNAMODB_ENDPOINT keeps their executions.
        ...(stepFunctions.runsKnownSince && { runsKnownSince: stepFunctions.runsKnownSince }),
        ...(options.writeMetrics && { writeMetrics: options.writeMetrics }),
      },
      { idempotency: DynamoDBPersistenceLayer },
    );
    built.engine = runtime.engine;
    stops.push(() => runtime.destroy());
    const { engine } = runtime;
    // Each function's handler as its Lambda function runs it, one invocation per event or request.
    const local = <E, R>(definition: FunctionDefinition<E, R>) => localHandler(definition, logger, clock, engine.newId);

    // The outbox: the table's stream → domain events on the bus, by the publisher Lambda's own handler.
    const eventbridge = new EventBridgeClient({ endpoint: ebEndpoint.url, region: LOCAL_REGION, credentials });
    stops.push(() => eventbridge.destroy());
    await eventbridge.send(new DescribeEventBusCommand({ Name: ENGINE_BUS_NAME }));
    const streamsClient = localDynamoDbStreamsClient(dynamodbEndpoint);
    stops.push(() => streamsClient.destroy());
    const streamReader = new DynamoDbStreamReader({
      client: streamsClient,
      streamArn,
      handle: local(
        publisherFunction({
          publisher: new EventBridgePublisher(eventbridge, ENGINE_BUS_NAME),
          metrics: engine.metrics,
        }),
      ),
      onError: (error) => logger.error('reading the table stream failed', { error: (error as Error).message }),
      ...(config.dataDir && { checkpointFile: join(config.dataDir, STREAM_CHECKPOINT_FILE) }),
    });
    await streamReader.start();
    stops.push(() => streamReader.stop());
    const arns = Object.values(stateMachineArns);

    const trigger = local(triggerFunction({ engine, idempotencyStore: runtime.idempotencyStore }));
    const status = local(statusFunction({ engine }));
    const sweeper = local(sweeperFunction({ engine }));
    // The rules the CDK app deploys, from the same list.
    const targets = { trigger: (event: DeliveredEvent) => trigger(event as never), status, sweeper };
    for (const rule of ENGINE_RULES) {
      bus.addRule({
        name: rule.id,
        eventBusName: busNameOf(rule),
        pattern: patternOf(rule, arns),
        target: targets[rule.target],
      });
    }
    stops.push(() => bus.idle());

    progress('[4/5] starting the sweeper');
    const timer = setLongInterval(
      () =>
        void sweeper(undefined).catch((error: unknown) =>
          logger.error('sweep failed', { error: (error as Error).message }),
        ),
      config.sweepIntervalSeconds * 1000,
    );
    stops.push(() => timer.cancel());

    progress('[5/5] starting the HTTP API');
    const api = local(
      apiFunction({
        engine,
        authenticate: options.authenticate ?? bearerTokenAuthenticator(token, tokens),
        idempotencyStore: runtime.idempotencyStore,
      }),
    );
    const server = await startApiServer(api, { logger: runtime.logger, clock, port: config.port });
    stops.push(() => server.close());
    const health = await fetch(`${server.url}/health`);
    if (health.status !== 200) throw new Error(`the API answered ${health.status} to GET /health`);

    return {
      urls: {
        api: server.url,
        dynamodb: dynamodbEndpoint,
        stepfunctions: sfnEndpoint.url,
        eventbridge: ebEndpoint.url,
      },
      token,
      credentials,
      runtime,
      bus,
      stepFunctions,
      streamReader,
      outboxClient: eventbridge,
      ...(dynamodb && { dynamodbPid: dynamodb.pid }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
