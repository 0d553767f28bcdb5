import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { inject } from 'vitest';
import { EventBridgePublisher } from '../../lib/adapters/eventbridge/domain-event-publisher.js';
import { EmfMetrics } from '../../lib/adapters/metrics/emf-metrics.js';
import { SfnDriver } from '../../lib/adapters/stepfunctions/sfn-driver.js';
import type { StatusChangeEvent } from '../../lib/contract/events.js';
import { DEFAULT_POLICY, type Policy } from '../../lib/domain/policies.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/dynamodb-local.js';
import { DynamoDbStreamReader, type StreamBatchHandler } from '../../lib/local/dynamodb-stream-reader.js';
import { localDynamoDbStreamsClient } from '../../lib/local/dynamodb-streams-client.js';
import { startEventBridgeEndpoint } from '../../lib/local/eventbridge/http-endpoint.js';
import { type DeliveredEvent, LocalEventBus } from '../../lib/local/eventbridge/local-event-bus.js';
import { sigV4Verifier } from '../../lib/local/sigv4-authentication.js';
import { deployCatalog } from '../../lib/local/stepfunctions/deploy-catalog.js';
import { startStepFunctionsEndpoint } from '../../lib/local/stepfunctions/http-endpoint.js';
import { LocalStepFunctions } from '../../lib/local/stepfunctions/local-step-functions.js';
import { SIMULATED_TASKS } from '../../lib/local/stepfunctions/simulated-tasks.js';
import type { DeadlineScheduler } from '../../lib/ports/index.js';
import { engineLogger } from '../../lib/runtime/engine-logger.js';
import { publisherFunction } from '../../lib/runtime/functions/publisher.js';
import { statusFunction } from '../../lib/runtime/functions/status.js';
import { localHandler } from '../../lib/runtime/handler-factory.js';
import { systemClock } from '../../lib/runtime/runtime.js';
import type { Engine } from '../../lib/use-cases/engine.js';
import { localCatalog } from '../../lib/workflows/catalog.js';
import { loadWorkflowCatalog } from '../../lib/workflows/load-workflows.js';
import { StateMachineArns } from '../../lib/workflows/state-machines.js';
import { createTestStore } from './dynamodb.js';
import type { FaultInjector } from './fault-injector.js';
import { ManualClock } from './manual-clock.js';

/** The secret the test engine's local endpoints take, as local mode's take its token. */
export const TEST_ENDPOINT_CREDENTIALS = {
  accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
  secretAccessKey: 'test-endpoint-token-0123456789',
};
/** How the test endpoints check callers, one per service: SigV4 with `TEST_ENDPOINT_CREDENTIALS`, as local mode checks its token. */
export const TEST_ENDPOINT_AUTHENTICATE = {
  events: sigV4Verifier(TEST_ENDPOINT_CREDENTIALS.secretAccessKey, systemClock, 'events'),
  states: sigV4Verifier(TEST_ENDPOINT_CREDENTIALS.secretAccessKey, systemClock, 'states'),
};

export function sfnClientFor(endpoint: string): SFNClient {
  return new SFNClient({ endpoint, region: LOCAL_REGION, credentials: TEST_ENDPOINT_CREDENTIALS, maxAttempts: 1 });
}

/**
 * The whole engine on DynamoDB Local and the local Step Functions endpoint, reached
 * through real SDK clients. Status events are delivered to the completion use case as
 * they happen, unless `deliverEvents` is off (then the test delivers them itself).
 */
export async function createTestEngine(
  options: {
    policy?: Partial<Policy>;
    deliverEvents?: boolean;
    faults?: FaultInjector;
    /** Wraps the outbox's handler as the stream reader calls it (a test makes it crash). */
    wrapPublisher?: (handle: StreamBatchHandler) => StreamBatchHandler;
    /** A folder of user workflows, beside the built-in ones. */
    workflowsDir?: string;
    /** Deadlines armed as the engine runs (local mode's timers); the test drives them with its clock. */
    deadlines?: DeadlineScheduler;
  } = {},
) {
  const { store, meter, client: dynamodb, tableName, streamArn } = await createTestStore();
  options.faults?.attach(dynamodb, 'DynamoDB');
  const clock = new ManualClock();
  const events: StatusChangeEvent[] = [];
  const listenerErrors: unknown[] = [];
  const deliveries = new Set<Promise<unknown>>();
  let deliver = options.deliverEvents ?? true;
  const versions = loadWorkflowCatalog(options.workflowsDir);
  const catalog = localCatalog(versions);
  const sfn = new LocalStepFunctions({
    clock,
    taskHandlers: SIMULATED_TASKS,
    onStatusChange: (event) => {
      events.push(event);
      if (!deliver) return;
      const delivery = status(event).finally(() => deliveries.delete(delivery));
      deliveries.add(delivery);
      return delivery;
    },
    onListenerError: (error) => listenerErrors.push(error),
  });
  const endpoint = await startStepFunctionsEndpoint(sfn, TEST_ENDPOINT_AUTHENTICATE.states);
  const sfnClient = sfnClientFor(endpoint.url);
  options.faults?.attach(sfnClient, 'SFN');
  // Domain events go from the table's stream through the real publisher to a local bus; a rule collects them.
  const domainEvents: DeliveredEvent[] = [];
  const bus = new LocalEventBus({ clock });
  bus.addRule({
    name: 'collect',
    eventBusName: 'lockstep',
    pattern: { source: ['lockstep'] },
    target: async (event) => void domainEvents.push(event),
  });
  const busEndpoint = await startEventBridgeEndpoint(bus, TEST_ENDPOINT_AUTHENTICATE.events);
  const eventbridge = new EventBridgeClient({
    endpoint: busEndpoint.url,
    region: LOCAL_REGION,
    credentials: TEST_ENDPOINT_CREDENTIALS,
    maxAttempts: 1,
  });
  const metricLines: string[] = [];
  const logger = engineLogger({ serviceName: 'lockstep-test', logLevel: 'WARN' });
  const metrics = new EmfMetrics({ write: (line) => metricLines.push(line) });
  const streamsClient = localDynamoDbStreamsClient(inject('dynamodbEndpoint'));
  const streamErrors: unknown[] = [];
  const streamReader = new DynamoDbStreamReader({
    client: streamsClient,
    streamArn,
    handle: (options.wrapPublisher ?? ((handle) => handle))(
      localHandler(
        publisherFunction({ publisher: new EventBridgePublisher(eventbridge, 'lockstep'), metrics }),
        logger,
        clock,
        randomUUID,
      ),
    ),
    onError: (error) => streamErrors.push(error),
    retryDelayMs: 20,
  });
  await streamReader.start();
  const engine: Engine = {
    store,
    driver: new SfnDriver(sfnClient),
    catalog,
    stateMachines: new StateMachineArns(await deployCatalog(sfnClient, versions)),
    metrics,
    logger,
    clock,
    policy: { ...DEFAULT_POLICY, ...options.policy },
    newId: randomUUID,
    actor: 'lockstep',
    ...(options.deadlines && { deadlines: options.deadlines }),
  };
  // Status events reach the status function's handler, as local mode delivers them.
  const status = localHandler(statusFunction({ engine }), logger, clock, randomUUID);
  return {
    engine,
    store,
    clock,
    sfn,
    sfnClient,
    endpoint,
    events,
    domainEvents,
    /** The client the outbox publishes with. */
    outboxClient: eventbridge,
    streamReader,
    streamErrors,
    metricLines,
    bus,
    listenerErrors,
    meter,
    dynamodb,
    tableName,
    setDelivery(on: boolean) {
      deliver = on;
    },
    /** Waits until the status events emitted so far have been handled. */
    async flushEvents() {
      await new Promise((resolve) => setImmediate(resolve));
      while (deliveries.size > 0) await Promise.allSettled([...deliveries]);
    },
    /** The ARN of an execution's run, from what Step Functions emitted (its record may still be Pending). */
    arnOf(executionId: string): string {
      const event = events.find((e) => e.detail.input?.includes(executionId));
      if (!event) throw new Error(`no run of execution ${executionId}`);
      return event.detail.executionArn;
    },
    /** The execution as stored once the status events emitted so far (its RUNNING event among them) have been handled. */
    async recorded(executionId: string) {
      await this.flushEvents();
      const record = await store.getExecution(executionId);
      if (!record) throw new Error(`execution ${executionId} does not exist`);
      return record;
    },
    /** Waits until every execution started so far has ended and its events have been handled and published. */
    async settle() {
      await sfn.idle();
      await this.flushEvents();
      await this.published();
    },
    /** Waits until every transition stored so far has its domain event delivered. */
    async published() {
      await streamReader.idle();
      await bus.idle();
    },
    async close() {
      await streamReader.stop();
      streamsClient.destroy();
      sfn.shutdown();
      await endpoint.close();
      await busEndpoint.close();
      eventbridge.destroy();
      sfnClient.destroy();
      dynamodb.destroy();
    },
  };
}
export type TestEngine = Awaited<ReturnType<typeof createTestEngine>>;
