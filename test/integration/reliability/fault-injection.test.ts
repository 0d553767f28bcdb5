import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDING_SHARDS } from '../../../lib/adapters/dynamodb/table-definition.js';
import { executionIdForKey, targetHash } from '../../../lib/domain/execution-name.js';
import { observationFromStatusEvent } from '../../../lib/handlers/status-observation.js';
import { cancelExecution } from '../../../lib/use-cases/cancel-execution.js';
import { completeExecution } from '../../../lib/use-cases/complete-execution.js';
import { admitAndStart, prepareRequest, requestExecution } from '../../../lib/use-cases/request-execution.js';
import { sweep } from '../../../lib/use-cases/sweep.js';
import { loadBuiltInWorkflows } from '../../../lib/workflows/load-workflows.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { FaultInjector, type FaultMode } from '../../support/fault-injector.js';
import { allExecutions, checkDomainEvents, checkInvariants } from '../../support/invariants.js';
import { request, uniqueTarget } from '../../support/lifecycle.js';

/**
 * Every DynamoDB and Step Functions call on the admission, start, completion, cancel and
 * sweep paths, failed once before it reaches the service and once after it succeeded but
 * before the caller saw the answer. After the caller's retry and the sweeper, every
 * execution must be terminal and correct, no target locked, no token used twice, no
 * workflow run twice, and every transition audited exactly once.
 *
 * MANIFEST is the list of calls each path makes. A path that makes a call not listed here
 * fails the first test below: add the call, and it is fault-tested from then on.
 */
const SHARD_QUERIES = Array.from({ length: STANDING_SHARDS }, () => 'DynamoDB.Query');
const MANIFEST: Record<string, string[]> = {
  // The lock, then the start: the RUNNING status event records it (below).
  admission: ['DynamoDB.UpdateItem', 'SFN.StartExecution'],
  // The lock only while no execution of the key's id exists (one transaction), then the token it got.
  'keyed admission': ['DynamoDB.TransactWriteItems', 'DynamoDB.GetItem', 'SFN.StartExecution'],
  // The RUNNING status event: the target (its holder), the execution item (none yet), then the Running record.
  'start record': ['DynamoDB.GetItem', 'DynamoDB.GetItem', 'DynamoDB.PutItem'],
  'skipped admission': ['DynamoDB.UpdateItem', 'DynamoDB.PutItem'],
  completion: ['DynamoDB.GetItem', 'DynamoDB.GetItem', 'DynamoDB.TransactWriteItems'],
  'failed completion': [
    'SFN.GetExecutionHistory',
    'DynamoDB.GetItem',
    'DynamoDB.GetItem',
    'DynamoDB.TransactWriteItems',
  ],
  // The stop, then what Step Functions says happened (the record never claims a stop that came too late).
  cancel: [
    'DynamoDB.GetItem',
    'SFN.StopExecution',
    'SFN.DescribeExecution',
    'DynamoDB.GetItem',
    'DynamoDB.GetItem',
    'DynamoDB.TransactWriteItems',
  ],
  // Admitted and started, its start not recorded yet: found through the active index (its Pending and its
  // AwaitingApproval entries, in parallel), its run looked up by name, then as above.
  'cancel of a started Pending': [
    'DynamoDB.GetItem',
    'DynamoDB.Query',
    'DynamoDB.Query',
    'DynamoDB.GetItem',
    'SFN.DescribeExecution',
    'SFN.StopExecution',
    'SFN.DescribeExecution',
    'DynamoDB.GetItem',
    'DynamoDB.GetItem',
    'DynamoDB.TransactWriteItems',
  ],
  // A sweep reads the Running shards of the active index, one query each, then its AwaitingApproval shards (none here).
  'sweep of a missed completion': [
    ...SHARD_QUERIES,
    'DynamoDB.GetItem',
    'SFN.DescribeExecution',
    'DynamoDB.GetItem',
    'DynamoDB.GetItem',
    'DynamoDB.TransactWriteItems',
    ...SHARD_QUERIES,
  ],
  // Its RUNNING status event lost, the run finished: the start is found by its name, recorded, then its end.
  'sweep of a missed start record': [
    ...SHARD_QUERIES,
    'DynamoDB.GetItem',
    'SFN.StartExecution',
    'SFN.DescribeExecution',
    'DynamoDB.PutItem',
    'DynamoDB.GetItem',
    'DynamoDB.GetItem',
    'DynamoDB.TransactWriteItems',
    ...SHARD_QUERIES,
  ],
  'sweep of a crashed start': [
    ...SHARD_QUERIES,
    'DynamoDB.GetItem',
    'SFN.StartExecution',
    'DynamoDB.PutItem',
    ...SHARD_QUERIES,
  ],
};

interface Path {
  /** A keyed request: however it failed, its retries find one execution, never a second. */
  keyed?: boolean;
  /** Brings a fresh target to where the path starts; returns what `act` needs. */
  setup(t: TestEngine, target: string): Promise<string | undefined>;
  /** The operation under test. */
  act(t: TestEngine, target: string, id: string | undefined): Promise<unknown>;
}

const faults = new FaultInjector();
let t: TestEngine;
let delivered = 0;

const ask = (target: string, workflowId: string, parameters: Record<string, string> = {}) =>
  requestExecution(t.engine, { targetResource: target, workflowId, parameters, requestedBy: 'test', source: 'api' });

/** Delivers the status events not delivered yet, as EventBridge would (at least once). */
async function deliverEvents() {
  await t.sfn.idle().catch(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  while (delivered < t.events.length)
    await completeExecution(t.engine, observationFromStatusEvent(t.events[delivered++]!));
}

/** Delivers an execution's RUNNING status event now (its run goes on), and loses the events emitted before it. */
async function recordStart(id: string) {
  const event = t.events.find((e) => e.detail.status === 'RUNNING' && e.detail.input?.includes(id));
  await completeExecution(t.engine, observationFromStatusEvent(event!));
  delivered = t.events.indexOf(event!) + 1;
}

/** A status event's delivery, the operation under test of the completion paths. */
async function deliverEvent(id: string | undefined) {
  const event = t.events.slice(delivered).find((e) => e.detail.status !== 'RUNNING' && e.detail.input?.includes(id!));
  return completeExecution(t.engine, observationFromStatusEvent(event!));
}

const PATHS: Record<string, Path> = {
  admission: { setup: async () => undefined, act: (_t, target) => ask(target, 'noop') },
  'keyed admission': {
    keyed: true,
    setup: async () => undefined,
    // The same key on every attempt: the caller's retry after a crash or a lost answer.
    act: (_t, target) =>
      admitAndStart(
        t.engine,
        prepareRequest(t.engine, { targetResource: target, workflowId: 'noop', requestedBy: 'test', source: 'api' }),
        { executionId: executionIdForKey(`api:test:${target}`) },
      ),
  },
  'skipped admission': {
    setup: async (_t, target) => {
      await ask(target, 'noop');
      await deliverEvents();
      return undefined;
    },
    act: (_t, target) => ask(target, 'noop'),
  },
  'start record': {
    setup: async (_t, target) => {
      const started = await ask(target, 'noop');
      delivered = t.events.findIndex(
        (e) => e.detail.status === 'RUNNING' && e.detail.input?.includes(started.record.execution.id),
      );
      return started.record.execution.id;
    },
    act: (_t, _target, id) => {
      const event = t.events.find((e) => e.detail.status === 'RUNNING' && e.detail.input?.includes(id!));
      return completeExecution(t.engine, observationFromStatusEvent(event!));
    },
  },
  completion: {
    setup: async (_t, target) => {
      const started = await ask(target, 'noop');
      await t.sfn.idle();
      delivered = t.events.findIndex(
        (e) => e.detail.status === 'SUCCEEDED' && e.detail.input?.includes(started.record.execution.id),
      );
      return started.record.execution.id;
    },
    act: (_t, _target, id) => deliverEvent(id),
  },
  'failed completion': {
    setup: async (_t, target) => {
      const started = await ask(target, 'fail', { ERROR: 'States.Timeout' });
      await t.sfn.idle();
      delivered = t.events.findIndex(
        (e) => e.detail.status === 'FAILED' && e.detail.input?.includes(started.record.execution.id),
      );
      return started.record.execution.id;
    },
    act: (_t, _target, id) => deliverEvent(id),
  },
  cancel: {
    setup: async (_t, target) => {
      const { id } = (await ask(target, 'wait', { SECONDS: '600' })).record.execution;
      await recordStart(id);
      return id;
    },
    act: (_t, _target, id) => cancelExecution(t.engine, { executionId: id!, requestedBy: 'test' }),
  },
  'cancel of a started Pending': {
    setup: async (_t, target) => (await ask(target, 'wait', { SECONDS: '600' })).record.execution.id,
    act: (_t, _target, id) => cancelExecution(t.engine, { executionId: id!, requestedBy: 'test' }),
  },
  'sweep of a missed completion': {
    setup: async (_t, target) => {
      const { id } = (await ask(target, 'noop')).record.execution;
      await recordStart(id);
      await t.sfn.idle();
      delivered = t.events.length; // its completion is lost
      return id;
    },
    act: () => sweep(t.engine),
  },
  'sweep of a missed start record': {
    setup: async (_t, target) => {
      const { id } = (await ask(target, 'noop')).record.execution;
      await t.sfn.idle();
      delivered = t.events.length; // all its events are lost
      t.clock.advanceSeconds(t.engine.policy.startGraceSeconds);
      return id;
    },
    act: () => sweep(t.engine),
  },
  'sweep of a crashed start': {
    setup: async (_t, target) => {
      const admission = await t.store.admit({
        request: request(target),
        executionId: crypto.randomUUID(),
        at: t.clock.now(),
      });
      t.clock.advanceSeconds(t.engine.policy.startGraceSeconds);
      return admission.record.execution.id;
    },
    act: () => sweep(t.engine),
  },
};

/** The caller retries once (EventBridge redelivers, a client resends), then the sweeper does the rest. */
async function recover(path: Path, target: string, id: string | undefined) {
  await path.act(t, target, id).catch(() => undefined);
  await deliverEvents();
  for (let round = 0; round < 2; round++) {
    t.clock.advanceSeconds(t.engine.policy.startGraceSeconds);
    await sweep(t.engine);
    await deliverEvents();
  }
}

function runsOn(target: string): string[] {
  const prefix = `wfe-${targetHash(target)}-`;
  return loadBuiltInWorkflows()
    .flatMap(
      (w) =>
        t.sfn.listExecutions({ stateMachineArn: t.engine.stateMachines.stateMachineArn(w), maxResults: 1000 })
          .executions,
    )
    .map((e) => e.name)
    .filter((name) => name.startsWith(prefix));
}

describe('fault injection', () => {
  beforeAll(async () => {
    t = await createTestEngine({ deliverEvents: false, faults, policy: { cooldownSeconds: 60 } });
  });
  afterAll(() => t.close());

  for (const [name, path] of Object.entries(PATHS)) {
    it(`${name}: makes exactly the calls of the manifest`, async () => {
      const target = uniqueTarget();
      const id = await path.setup(t, target);
      const { calls, error } = await faults.during(() => path.act(t, target, id));
      await recover(path, target, id);
      expect(error).toBeUndefined();
      expect(calls).toEqual(MANIFEST[name]);
    });

    MANIFEST[name]!.forEach((call, index) => {
      for (const mode of ['before', 'after'] as FaultMode[]) {
        it(`${name}: ${call} (#${index + 1}) fails ${mode === 'before' ? 'before reaching the service' : 'after succeeding (lost response)'}`, async () => {
          const target = uniqueTarget();
          const id = await path.setup(t, target);
          const injected = await faults.during(() => path.act(t, target, id), { index, mode });
          expect(injected.calls.length).toBeGreaterThan(index); // the fault did fire
          await recover(path, target, id);

          const executions = (await t.store.listExecutions({ targetResource: target, limit: 100 })).items;
          if (path.keyed)
            expect(
              executions.map((e) => e.id),
              'one execution for the key',
            ).toEqual([executionIdForKey(`api:test:${target}`)]);
          expect(
            executions.filter((e) => e.phase === 'Pending' || e.phase === 'Running'),
            'executions left active',
          ).toEqual([]);
          expect((await t.store.getTarget(target)).holder, 'target left locked').toBeUndefined();
          const runs = runsOn(target);
          expect(new Set(runs).size, 'a workflow ran twice').toBe(runs.length);
          const started = executions.filter((e) => e.executionRef);
          expect(runs.length).toBe(started.length);
          const report = await checkInvariants(t.dynamodb, t.tableName, { expectSettled: true });
          expect(report.violations).toEqual([]);
          // Every transition of this target has its domain event, and none was invented.
          await t.published();
          const records = (await allExecutions(t.dynamodb, t.tableName)).filter(
            (r) => r.execution.targetResource === target,
          );
          const ids = new Set(records.map((r) => r.execution.id));
          expect(
            checkDomainEvents(
              records,
              t.domainEvents.filter((e) => ids.has((e.detail as { id: string }).id)),
            ).violations,
          ).toEqual([]);
        });
      }
    });
  }
});
