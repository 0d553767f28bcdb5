// What one execution costs in DynamoDB requests and capacity, measured on local mode's own
// client while the whole lifecycle runs through the real handlers: the api handler admits and
// starts, local mode's status handler records Running and then Completed (each of its calls
// is told apart from the api request's by the async context it was sent from).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CapacityMeter } from '../lib/adapters/dynamodb/capacity-meter.js';
import type { DynamoDbStore } from '../lib/adapters/dynamodb/dynamodb-store.js';
import type { LocalMode } from '../lib/local/local-mode.js';
import { quiesce } from './admission.js';
import { type ApiHandler, postExecution, round, until } from './support.js';

/** Commands that take ReturnConsumedCapacity. */
const CAPACITY_COMMANDS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const WRITE_COMMANDS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface Consumed {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

export interface CostedRequest {
  command: string;
  /** Which handler sent it: the api request, or what followed it (the status handler's start and completion). */
  by: 'api request' | 'status events';
  write: boolean;
  failed: boolean;
  capacityUnits: number;
  tableCapacityUnits: number;
  /** Capacity of each index the request wrote or read. */
  indexCapacityUnits: Record<string, number>;
}

export interface Cost {
  requests: number;
  writes: number;
  reads: number;
  capacityUnits: number;
  tableCapacityUnits: number;
  indexCapacityUnits: number;
  byCommand: Record<string, number>;
  list: CostedRequest[];
}

/**
 * Records every request of local mode's DynamoDB client, with the capacity DynamoDB says it
 * consumed on the table and on each index: while it records, every request asks for
 * `ReturnConsumedCapacity: INDEXES` (reads included, which the engine does not ask for). The
 * engine's own CapacityMeter counts requests and writes beside it.
 */
class CostRecorder {
  private readonly byRequest = new AsyncLocalStorage<true>();
  private recording = false;
  private list: CostedRequest[] = [];
  readonly meter: CapacityMeter;

  constructor(client: DynamoDBClient) {
    this.meter = new CapacityMeter().attach(client);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        if (!this.recording) return next(args);
        const input = args.input as { ReturnConsumedCapacity?: string };
        if (CAPACITY_COMMANDS.has(command)) input.ReturnConsumedCapacity = 'INDEXES';
        const by = this.byRequest.getStore() ? 'api request' : 'status events';
        try {
          const result = await next(args);
          this.list.push({
            command,
            by,
            write: WRITE_COMMANDS.has(command),
            failed: false,
            ...capacity(result.output),
          });
          return result;
        } catch (error) {
          this.list.push({
            command,
            by,
            write: WRITE_COMMANDS.has(command),
            failed: true,
            capacityUnits: 0,
            tableCapacityUnits: 0,
            indexCapacityUnits: {},
          });
          throw error;
        }
      },
      { step: 'initialize', priority: 'high', name: 'benchCostRecorder' },
    );
  }

  async during<T>(
    action: (asApiRequest: <R>(request: () => Promise<R>) => Promise<R>) => Promise<T>,
  ): Promise<{ result: T; cost: Cost }> {
    this.list = [];
    const mark = this.meter.position();
    this.recording = true;
    try {
      const result = await action((request) => this.byRequest.run(true, request));
      const metered = this.meter.since(mark);
      const list = this.list;
      return {
        result,
        cost: {
          requests: metered.requests,
          writes: metered.writes,
          reads: metered.reads,
          capacityUnits: round(list.reduce((sum, r) => sum + r.capacityUnits, 0)),
          tableCapacityUnits: round(list.reduce((sum, r) => sum + r.tableCapacityUnits, 0)),
          indexCapacityUnits: round(
            list.reduce((sum, r) => sum + Object.values(r.indexCapacityUnits).reduce((a, b) => a + b, 0), 0),
          ),
          byCommand: metered.byCommand,
          list,
        },
      };
    } finally {
      this.recording = false;
    }
  }
}

function capacity(output: unknown): Pick<CostedRequest, 'capacityUnits' | 'tableCapacityUnits' | 'indexCapacityUnits'> {
  const consumed = (output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
  const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  const indexCapacityUnits: Record<string, number> = {};
  for (const c of list)
    for (const [name, { CapacityUnits }] of Object.entries(c.GlobalSecondaryIndexes ?? {}))
      indexCapacityUnits[name] = round((indexCapacityUnits[name] ?? 0) + (CapacityUnits ?? 0));
  return {
    capacityUnits: round(list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0)),
    tableCapacityUnits: round(list.reduce((sum, c) => sum + (c.Table?.CapacityUnits ?? 0), 0)),
    indexCapacityUnits,
  };
}

export interface LifecycleCost {
  admission: Cost;
  /**
   * Admission (api request), start and completion (status events) of one run of `wait` for
   * 1 s: the RUNNING event is handled before the run ends, as for any workflow that runs longer
   * than its status event takes to handle.
   */
  fullLifecycle: Cost;
  /**
   * noop runs, which end as they start: their RUNNING and SUCCEEDED events arrive together
   * and their handlers race (a completion that read before the start record was written
   * loses its conditional write and tries again).
   */
  noopLifecycles: {
    runs: number;
    writes: number[];
    requests: number[];
    capacityUnits: number[];
    withFailedWrite: number;
  };
  /** A second request on the target while it cools down: refused, recorded Skipped. */
  skippedAdmission: Cost;
}

/**
 * One run of `wait` (1 s) on a fresh target, admitted through the api handler over local
 * mode's engine, with nothing else running, followed to Completed (read with another client,
 * so the reads of the wait are not counted); then a request on the same target, refused by its
 * cooldown; then noop runs the same way, one at a time.
 */
export async function measureLifecycleCost(
  local: LocalMode,
  api: ApiHandler,
  observer: DynamoDbStore,
  noopRuns = 10,
): Promise<LifecycleCost> {
  const recorder = new CostRecorder(local.runtime.clients.dynamodb);
  const lifecycle = (workflowId: string, parameters: Record<string, string>) =>
    recorder.during(async (asApiRequest) => {
      const target = `bench/deployment/cost-${randomUUID().slice(0, 8)}`;
      const response = await asApiRequest(() =>
        postExecution(api, { targetResource: target, workflowId, parameters }, { requestId: randomUUID() }),
      );
      if (response.statusCode !== 201)
        throw new Error(`the cost measurement's admission answered ${response.statusCode}: ${response.body}`);
      const { id } = JSON.parse(response.body) as { id: string };
      await until(
        30_000,
        `execution ${id} completing`,
        async () => (await observer.getExecution(id))?.execution.phase === 'Completed',
      );
      await quiesce(local);
      return target;
    });
  await quiesce(local);
  const { result: target, cost: fullLifecycle } = await lifecycle('wait', { SECONDS: '1' });
  const { cost: skippedAdmission } = await recorder.during(async (asApiRequest) => {
    const response = await asApiRequest(() =>
      postExecution(api, { targetResource: target, workflowId: 'wait' }, { requestId: randomUUID() }),
    );
    if (response.statusCode !== 409)
      throw new Error(`a request on a cooling target answered ${response.statusCode}: ${response.body}`);
    await quiesce(local);
  });
  const noops: Cost[] = [];
  for (let i = 0; i < noopRuns; i++) noops.push((await lifecycle('noop', {})).cost);
  const admissionList = fullLifecycle.list.filter((r) => r.by === 'api request');
  const admission: Cost = {
    requests: admissionList.length,
    writes: admissionList.filter((r) => r.write).length,
    reads: admissionList.filter((r) => !r.write).length,
    capacityUnits: round(admissionList.reduce((sum, r) => sum + r.capacityUnits, 0)),
    tableCapacityUnits: round(admissionList.reduce((sum, r) => sum + r.tableCapacityUnits, 0)),
    indexCapacityUnits: round(
      admissionList.reduce((sum, r) => sum + Object.values(r.indexCapacityUnits).reduce((a, b) => a + b, 0), 0),
    ),
    byCommand: Object.fromEntries(
      [...new Set(admissionList.map((r) => r.command))].map((c) => [
        c,
        admissionList.filter((r) => r.command === c).length,
      ]),
    ),
    list: admissionList,
  };
  return {
    admission,
    fullLifecycle,
    noopLifecycles: {
      runs: noopRuns,
      writes: noops.map((c) => c.writes),
      requests: noops.map((c) => c.requests),
      capacityUnits: noops.map((c) => c.capacityUnits),
      withFailedWrite: noops.filter((c) => c.list.some((r) => r.write && r.failed)).length,
    },
    skippedAdmission,
  };
}
