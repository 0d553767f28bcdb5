import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AuditEventType } from '../../domain/audit.js';
import { ConflictError, LockstepError, NotFoundError, ValidationError } from '../../domain/errors.js';
import {
  ExecutionRequestSchema,
  durationSeconds,
  nextAuditEvent,
  type Execution,
  type ExecutionRecord,
} from '../../domain/execution.js';
import { Phase, canTransition, isTerminal } from '../../domain/phase.js';
import { HolderSchema, refusal, settle, type Outcome, type TargetState } from '../../domain/target.js';
import type {
  Admission,
  AdmitInput,
  ClearBlockInput,
  ExecutionStore,
  FinishInput,
  ListExecutionsInput,
  MarkRunningInput,
  Page,
  ReleaseLockInput,
  TransitionResult,
} from '../../ports.js';
import {
  ACTIVE,
  decodePageToken,
  encodePageToken,
  executionItem,
  executionKey,
  recordFromItem,
  targetFromItem,
  targetKey,
  targetPartitionKey,
} from './items.js';
import { TABLE_DEFINITION } from './table-definition.js';
import { admissionUpdate, releaseUpdate } from './target-writes.js';
import { transact, withConflictRetry, type TransactItems } from './transactions.js';

export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long terminal executions are kept before TTL may delete them. Default: 90 days. */
  retentionSeconds?: number;
  /** Clearances kept per target, newest last. Default: 50. */
  maxBlockClearances?: number;
  /** The actor recorded on transitions the engine makes itself. Default: `lockstep`. */
  engineActor?: string;
}

const { byTarget, active } = TABLE_DEFINITION.indexes;
/** A finish that lost a conditional race re-reads and tries again; each loss means real progress by someone else. */
const FINISH_ATTEMPTS = 5;
const LOST_RACE = Symbol('lost race');

/**
 * The store on one DynamoDB table. Every transition writes the execution and its audit
 * event in the same item write, and every write that touches the lock is conditioned on
 * the holder and the fencing token, so duplicates and stale callers change nothing.
 */
export class DynamoDbStore implements ExecutionStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly maxBlockClearances: number;
  private readonly engineActor: string;

  constructor(options: DynamoDbStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.retentionSeconds = options.retentionSeconds ?? 90 * 24 * 3600;
    this.maxBlockClearances = options.maxBlockClearances ?? 50;
    this.engineActor = options.engineActor ?? 'lockstep';
  }

  async admit({ request, executionId, at, auditPayload }: AdmitInput): Promise<Admission> {
    const parsed = ExecutionRequestSchema.parse(request);
    const now = at.toISOString();
    const base: Execution = { ...parsed, id: executionId, correlationId: parsed.correlationId ?? executionId, phase: Phase.Pending, createdAt: now };
    const selected = nextAuditEvent(base, [], AuditEventType.SelectionCompleted, at, parsed.requestedBy, {
      decision: 'admitted',
      workflowId: parsed.workflowId,
      workflowVersion: parsed.workflowVersion,
      ...auditPayload,
    });
    const holder = HolderSchema.parse({ execution: base, events: [selected] });
    try {
      const { Attributes } = await withConflictRetry(() => this.doc.send(new UpdateCommand(admissionUpdate(this.tableName, holder, now))));
      return { admitted: true, record: { ...holder, fencingToken: Number(Attributes?.fencingToken) } };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The refused write returns the item as it was: the reason comes from it, with no extra read.
      const target = targetFromItem(parsed.targetResource, error.Item ? unmarshall(error.Item) : undefined);
      const skipDetails = refusal(target, at);
      if (!skipDetails) throw new LockstepError(`admission on ${parsed.targetResource} was refused by a target that admits`, { cause: error });
      const skipped: Execution = { ...base, phase: Phase.Skipped, skipDetails };
      const event = nextAuditEvent(skipped, [], AuditEventType.ExecutionSkipped, at, parsed.requestedBy, { ...skipDetails, ...auditPayload });
      const record: ExecutionRecord = { execution: skipped, events: [event] };
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: executionItem(record, this.retentionSeconds),
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { admitted: false, record, skipDetails };
    }
  }

  async markRunning({ pending, fencingToken, executionRef, startTime, actor }: MarkRunningInput): Promise<TransitionResult> {
    assertTransition(pending.execution, Phase.Running);
    const execution: Execution = { ...pending.execution, phase: Phase.Running, executionRef, startTime: startTime.toISOString() };
    const started = nextAuditEvent(execution, pending.events, AuditEventType.ExecutionStarted, startTime, actor, { executionRef });
    const record: ExecutionRecord = { execution, fencingToken, events: [...pending.events, started] };
    try {
      // Every way out of Pending writes the execution item, so "no item yet" is exactly "still Pending".
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: executionItem(record, this.retentionSeconds),
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { changed: true, record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
      const current = recordFromItem(unmarshall(error.Item));
      return { changed: false, record: current, why: `execution ${execution.id} is already ${current.execution.phase}` };
    }
  }

  async finish(input: FinishInput): Promise<TransitionResult> {
    // A lost condition means another writer moved the execution (its start record, or another
    // completion): read again and decide on the new state, until it is terminal or ours.
    for (let attempt = 1; ; attempt++) {
      const result = await withConflictRetry(() => this.finishOnce(input));
      if (result !== LOST_RACE) return result;
      if (attempt >= FINISH_ATTEMPTS) throw new LockstepError(`execution ${input.executionId} kept changing while it was being finished`);
    }
  }

  private async finishOnce(input: FinishInput): Promise<TransitionResult | typeof LOST_RACE> {
    const { executionId, termination, at, actor, policy } = input;
    const stored = await this.getExecutionItem(executionId);
    // A duplicate or late event for an ended execution is the common case: it needs no second read.
    if (stored && isTerminal(stored.execution.phase)) return { changed: false, record: stored, why: `execution ${executionId} is already ${stored.execution.phase}` };
    const targetResource = stored?.execution.targetResource ?? input.targetResource ?? (await this.findPending(executionId))?.execution.targetResource;
    if (!targetResource) throw new NotFoundError(`execution ${executionId} does not exist`);
    const target = await this.getTarget(targetResource);
    const current = stored ?? (target.holder?.execution.id === executionId ? { ...target.holder, fencingToken: target.fencingToken } : undefined);
    if (!current) throw new NotFoundError(`execution ${executionId} does not exist`);
    if (isTerminal(current.execution.phase)) {
      return { changed: false, record: current, why: `execution ${executionId} is already ${current.execution.phase}` };
    }
    const fencingToken = current.fencingToken ?? target.fencingToken;

    // A status event can overtake the start record: the workflow ran, so it passes through Running first.
    const ran = termination.phase === Phase.Completed || termination.failure.wasExecutionFailure || current.execution.phase === Phase.Running;
    let base: ExecutionRecord = current;
    if (current.execution.phase === Phase.Pending && ran && input.executionRef && input.startTime) {
      const running: Execution = { ...current.execution, phase: Phase.Running, executionRef: input.executionRef, startTime: input.startTime.toISOString() };
      const started = nextAuditEvent(running, current.events, AuditEventType.ExecutionStarted, input.startTime, this.engineActor, {
        executionRef: input.executionRef,
      });
      base = { execution: running, fencingToken, events: [...current.events, started] };
    }
    assertTransition(base.execution, termination.phase);

    const completionTime = at.toISOString();
    const execution: Execution = {
      ...base.execution,
      phase: termination.phase,
      completionTime,
      ...(base.execution.startTime && { durationSeconds: durationSeconds(base.execution.startTime, completionTime) }),
      ...(termination.phase === Phase.Failed && { failureDetails: { ...termination.failure, failedAt: completionTime } }),
    };
    const event =
      termination.phase === Phase.Completed
        ? nextAuditEvent(execution, base.events, AuditEventType.WorkflowCompleted, at, actor, { durationSeconds: execution.durationSeconds })
        : nextAuditEvent(execution, base.events, AuditEventType.WorkflowFailed, at, actor, { ...execution.failureDetails });
    const record: ExecutionRecord = { execution, fencingToken, events: [...base.events, event] };

    const outcome: Outcome =
      termination.phase === Phase.Completed
        ? { phase: Phase.Completed }
        : { phase: Phase.Failed, wasExecutionFailure: termination.failure.wasExecutionFailure, interrupted: termination.interrupted ?? false, ran };
    const holdsTarget = target.holder?.execution.id === executionId && target.fencingToken === fencingToken;
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: executionItem(record, this.retentionSeconds),
          ...(stored
            ? {
                ConditionExpression: 'execution.phase = :phase AND fencingToken = :token AND size(events) = :events',
                ExpressionAttributeValues: { ':phase': stored.execution.phase, ':token': fencingToken, ':events': stored.events.length },
              }
            : { ConditionExpression: 'attribute_not_exists(PK)' }),
        },
      },
    ];
    if (holdsTarget) items.push({ Update: releaseUpdate(this.tableName, target, executionId, settle(target, executionId, outcome, policy, at)) });
    return (await transact(this.doc, items)) ? { changed: true, record } : LOST_RACE;
  }

  async releaseLock({ targetResource, executionId, fencingToken, policy }: ReleaseLockInput): Promise<boolean> {
    const target = await this.getTarget(targetResource);
    if (target.holder?.execution.id !== executionId || target.fencingToken !== fencingToken) return false;
    const record = await this.getExecutionItem(executionId);
    if (!record || !isTerminal(record.execution.phase)) return false;
    const { execution } = record;
    const outcome: Outcome =
      execution.phase === Phase.Completed || !execution.failureDetails
        ? { phase: Phase.Completed }
        : {
            phase: Phase.Failed,
            wasExecutionFailure: execution.failureDetails.wasExecutionFailure,
            interrupted: execution.failureDetails.reason === 'Cancelled',
            ran: !!execution.startTime,
          };
    const completedAt = new Date(execution.completionTime ?? execution.createdAt);
    return transact(this.doc, [{ Update: releaseUpdate(this.tableName, target, executionId, settle(target, executionId, outcome, policy, completedAt)) }]);
  }

  async clearBlock({ targetResource, clearedBy, reason, at }: ClearBlockInput): Promise<TargetState> {
    if (!clearedBy.trim() || !reason.trim()) throw new ValidationError('clearedBy and reason are required', ['clearedBy', 'reason']);
    const target = await this.getTarget(targetResource);
    if (!target.blockReason) throw new ConflictError(`target ${targetResource} is not blocked`);
    const clearance = {
      clearedAt: at.toISOString(),
      clearedBy,
      reason,
      blockReason: target.blockReason,
      ...(target.blockedByExecutionId && { blockedByExecutionId: target.blockedByExecutionId }),
    };
    const blockClearances = [...target.blockClearances, clearance].slice(-this.maxBlockClearances);
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: targetKey(targetResource),
          // Clearing resets the failure count: otherwise the next pre-execution failure would block again at once.
          UpdateExpression: 'SET blockClearances = :clearances, consecutiveFailures = :zero REMOVE blockReason, blockedByExecutionId, nextAllowedAt',
          ConditionExpression: 'blockReason = :blockReason AND size(blockClearances) = :count',
          ExpressionAttributeValues: { ':clearances': blockClearances, ':zero': 0, ':blockReason': target.blockReason, ':count': target.blockClearances.length },
        },
      },
    ];
    const blocking = target.blockedByExecutionId ? await this.getExecutionItem(target.blockedByExecutionId) : undefined;
    if (blocking) {
      const event = nextAuditEvent(blocking.execution, blocking.events, AuditEventType.BlockCleared, at, clearedBy, {
        reason,
        blockReason: target.blockReason,
      });
      items.push({
        Update: {
          TableName: this.tableName,
          Key: executionKey(blocking.execution.id),
          UpdateExpression: 'SET events = list_append(events, :event)',
          ConditionExpression: 'size(events) = :count',
          ExpressionAttributeValues: { ':event': [event], ':count': blocking.events.length },
        },
      });
    }
    if (!(await transact(this.doc, items))) throw new ConflictError(`target ${targetResource} changed while it was being cleared; read it and try again`);
    return { ...target, blockReason: undefined, blockedByExecutionId: undefined, nextAllowedAt: undefined, consecutiveFailures: 0, blockClearances };
  }

  async getExecution(executionId: string, heldTarget?: TargetState): Promise<ExecutionRecord | undefined> {
    const stored = await this.getExecutionItem(executionId);
    if (stored) return stored;
    if (heldTarget?.holder?.execution.id === executionId) return { ...heldTarget.holder, fencingToken: heldTarget.fencingToken };
    return this.findPending(executionId);
  }

  async listExecutions({ targetResource, phase, limit, nextToken }: ListExecutionsInput): Promise<Page<Execution>> {
    const items: Execution[] = [];
    let startKey = decodePageToken(nextToken);
    if (!nextToken) {
      // A Pending execution lives only on its target until it starts.
      const holder = (await this.getTarget(targetResource)).holder;
      if (holder && (!phase || phase === Phase.Pending)) items.push(holder.execution);
    }
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: byTarget.name,
          KeyConditionExpression: '#pk = :pk',
          ...(phase && { FilterExpression: 'execution.phase = :phase' }),
          ExpressionAttributeNames: { '#pk': byTarget.partitionKey },
          ExpressionAttributeValues: { ':pk': targetPartitionKey(targetResource), ...(phase && { ':phase': phase }) },
          ScanIndexForward: false,
          Limit: limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const execution = recordFromItem(item).execution;
        if (!items.some((known) => known.id === execution.id)) items.push(execution);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return { items, ...(startKey && { nextToken: encodePageToken(startKey) }) };
  }

  async getTarget(targetResource: string): Promise<TargetState> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: targetKey(targetResource), ConsistentRead: true }));
    return targetFromItem(targetResource, Item);
  }

  async listHeldTargets(nextToken?: string): Promise<Page<TargetState>> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: active.name,
        KeyConditionExpression: '#pk = :active',
        ExpressionAttributeNames: { '#pk': active.partitionKey },
        ExpressionAttributeValues: { ':active': ACTIVE },
        ExclusiveStartKey: decodePageToken(nextToken),
      }),
    );
    const items = (page.Items ?? []).map((item) => targetFromItem(String(item.targetResource), item));
    return { items, ...(page.LastEvaluatedKey && { nextToken: encodePageToken(page.LastEvaluatedKey) }) };
  }

  private async getExecutionItem(executionId: string): Promise<ExecutionRecord | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: executionKey(executionId), ConsistentRead: true }));
    return Item ? recordFromItem(Item) : undefined;
  }

  /** An execution with no item yet is Pending: find the target it holds through the sparse index. */
  private async findPending(executionId: string): Promise<ExecutionRecord | undefined> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: active.name,
        KeyConditionExpression: '#pk = :active AND #sk = :id',
        ExpressionAttributeNames: { '#pk': active.partitionKey, '#sk': active.sortKey },
        ExpressionAttributeValues: { ':active': ACTIVE, ':id': executionId },
      }),
    );
    const item = Items?.[0];
    if (!item) return undefined;
    // The index is eventually consistent: confirm on the table itself.
    return (await this.pendingOn(String(item.targetResource), executionId)) ?? this.getExecutionItem(executionId);
  }

  private async pendingOn(targetResource: string, executionId: string): Promise<ExecutionRecord | undefined> {
    const target = await this.getTarget(targetResource);
    if (target.holder?.execution.id !== executionId) return undefined;
    return { ...target.holder, fencingToken: target.fencingToken };
  }
}

function assertTransition(execution: Execution, to: Phase): void {
  if (!canTransition(execution.phase, to)) {
    throw new LockstepError(`execution ${execution.id} cannot go from ${execution.phase} to ${to}`);
  }
}

