import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TABLE_DEFINITION } from '../../contract/table.js';
import { approvalExpiredAt } from '../../domain/approval.js';
import { approvalExpired, awaitingApproval, decided } from '../../domain/approval-transitions.js';
import { ConflictError, LockstepError, NotFoundError } from '../../domain/errors.js';
import { type Execution, type ExecutionRecord, ExecutionRequestSchema } from '../../domain/execution.js';
import { isTerminal, Phase } from '../../domain/phase.js';
import type { Policy } from '../../domain/policies.js';
import { type Holder, HolderSchema, refusal, type TargetState } from '../../domain/target.js';
import {
  admitted,
  CLEARED_FIELDS,
  cleared,
  finished,
  settlementFor,
  skipped,
  started,
} from '../../domain/transitions.js';
import type {
  ActiveExecutionsInput,
  Admission,
  AdmitInput,
  ClearBlockInput,
  CreatedExecutionsInput,
  DecideInput,
  DecisionResult,
  ExecutionStore,
  ExpireApprovalInput,
  FinishInput,
  ListExecutionsInput,
  ListTargetsInput,
  MarkRunningInput,
  Page,
  ReleaseLockInput,
  TransitionResult,
} from '../../ports/index.js';
import { listActiveExecutions, listExecutionsCreated } from './cross-target-listing.js';
import { listTargetExecutions } from './execution-listing.js';
import { executionItem, executionKey, type Item, recordFromItem, targetFromItem, targetKey } from './items.js';
import { type PageTokens, pageTokensFor } from './page-tokens.js';
import { awaitingApprovalKeys, listTargetsIn, pendingKeys } from './target-standing.js';
import { admissionUpdate, decisionUpdate, releaseUpdate, standingClauses } from './target-writes.js';
import { type TransactItems, transact, withConflictRetry } from './transactions.js';

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

const { active } = TABLE_DEFINITION.indexes;
/** A finish that lost a conditional race re-reads and tries again; each loss means real progress by someone else. */
const FINISH_ATTEMPTS = 5;
const LOST_RACE = Symbol('lost race');

/**
 * The store on one DynamoDB table. It decides nothing: the records, audit events and
 * settlements come from the domain's transitions (`lib/domain/transitions.ts`); the store
 * writes each with the conditions that make a duplicate, late or stale writer change
 * nothing. Every transition writes its execution and audit event in the same item write,
 * and every write that touches the lock is conditioned on the holder and the fencing token.
 */
export class DynamoDbStore implements ExecutionStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly maxBlockClearances: number;
  private readonly engineActor: string;
  private readonly client: DynamoDBClient;
  private tokens: Promise<PageTokens> | undefined;

  constructor(options: DynamoDbStoreOptions) {
    this.client = options.client;
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.retentionSeconds = options.retentionSeconds ?? 90 * 24 * 3600;
    this.maxBlockClearances = options.maxBlockClearances ?? 50;
    this.engineActor = options.engineActor ?? 'lockstep';
  }

  async admit({ request, executionId, at, exclusive, approval }: AdmitInput): Promise<Admission> {
    const valid = ExecutionRequestSchema.parse(request);
    // Awaiting approval, it takes the lock in the same single write: nothing else is written until a decision.
    const holder = HolderSchema.parse(
      approval ? awaitingApproval(valid, executionId, at, approval) : admitted(valid, executionId, at),
    );
    const update = admissionUpdate(this.tableName, holder, at.toISOString());
    if (!exclusive) {
      try {
        const { Attributes } = await withConflictRetry(() =>
          this.doc.send(new UpdateCommand({ ...update, ReturnValues: 'UPDATED_NEW', ReturnConsumedCapacity: 'TOTAL' })),
        );
        return { admitted: true, record: { ...holder, fencingToken: Number(Attributes?.fencingToken) } };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The refused write returns the item as it was: the reason comes from it, with no extra read.
        return this.refuse(holder, error.Item ? unmarshall(error.Item) : undefined, at);
      }
    }
    // An id that stands for an idempotency key is admitted at most once, ever: the lock is
    // taken only while no execution item of that id exists, in one transaction.
    try {
      await withConflictRetry(() =>
        this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: this.tableName,
                  Key: executionKey(executionId),
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              { Update: update },
            ],
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
      if (!reasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')) throw error;
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return this.existing(executionId);
      const old = reasons[1]?.Item
        ? unmarshall(reasons[1].Item)
        : ((await this.getTargetItem(holder.execution.targetResource)) ?? undefined);
      const target = targetFromItem(holder.execution.targetResource, old);
      // A retry of a request whose first attempt took the lock and then died: the same execution.
      if (target.holder?.execution.id === executionId)
        return { admitted: false, existing: true, record: { ...target.holder, fencingToken: target.fencingToken } };
      return this.refuse(holder, old, at, true);
    }
    const target = await this.getTarget(holder.execution.targetResource);
    if (target.holder?.execution.id !== executionId) return this.existing(executionId);
    return { admitted: true, record: { ...holder, fencingToken: target.fencingToken } };
  }

  private async refuse(holder: Holder, old: Item | undefined, at: Date, exclusive = false): Promise<Admission> {
    const { targetResource } = holder.execution;
    const skipDetails = refusal(targetFromItem(targetResource, old), at);
    if (!skipDetails) throw new LockstepError(`admission on ${targetResource} was refused by a target that admits`);
    const record = skipped(holder, skipDetails, at);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: executionItem(record, this.retentionSeconds),
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      if (exclusive && error instanceof ConditionalCheckFailedException) return this.existing(holder.execution.id);
      throw error;
    }
    return { admitted: false, record, skipDetails };
  }

  private async existing(executionId: string): Promise<Admission> {
    const record = await this.getExecution(executionId);
    if (!record)
      throw new ConflictError(`execution ${executionId} changed while it was being admitted; retry the request`);
    return { admitted: false, existing: true, record };
  }

  async decide(input: DecideInput): Promise<DecisionResult> {
    const { executionId, policy, ...decision } = input;
    for (let attempt = 1; attempt <= FINISH_ATTEMPTS; attempt++) {
      const located = await this.locateHolder(executionId);
      if ('record' in located) {
        if (located.record.execution.phase === Phase.AwaitingApproval) continue; // it left the target between two reads
        throw new ConflictError(`execution ${executionId} is ${located.record.execution.phase}, not awaiting approval`);
      }
      const { target } = located;
      const current = { ...target.holder!, fencingToken: target.fencingToken };
      const result = decided(current, decision);
      if (result.outcome === 'expired') return { outcome: 'expired', record: current };
      if (result.outcome === 'rejected') {
        if (await this.endWhileHeld(target, result.record, policy)) return result;
        continue;
      }
      try {
        await withConflictRetry(() =>
          this.doc.send(
            new UpdateCommand({
              ...decisionUpdate(this.tableName, target, result.holder),
              ReturnConsumedCapacity: 'TOTAL',
            }),
          ),
        );
        return { outcome: result.outcome, record: { ...result.holder, fencingToken: target.fencingToken } };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new ConflictError(`execution ${executionId} kept changing while the decision was being recorded; retry`);
  }

  async expireApproval({ executionId, targetResource, at, policy }: ExpireApprovalInput): Promise<TransitionResult> {
    for (let attempt = 1; attempt <= FINISH_ATTEMPTS; attempt++) {
      const located = await this.locateHolder(executionId, targetResource);
      if ('record' in located) {
        if (located.record.execution.phase === Phase.AwaitingApproval) continue;
        return unchanged(located.record);
      }
      const { target } = located;
      const current = { ...target.holder!, fencingToken: target.fencingToken };
      if (!approvalExpiredAt(current.execution, at)) return unchanged(current);
      const record = approvalExpired(current, at, this.engineActor);
      if (await this.endWhileHeld(target, record, policy)) return { changed: true, record };
    }
    throw new LockstepError(`execution ${executionId} kept changing while its approval was being expired`);
  }

  /** The target an execution holds, or else its record as stored (it holds nothing). */
  private async locateHolder(
    executionId: string,
    targetResource?: string,
  ): Promise<{ target: TargetState } | { record: ExecutionRecord }> {
    const resource = targetResource ?? (await this.getExecution(executionId))?.execution.targetResource;
    if (!resource) throw new NotFoundError(`execution ${executionId} does not exist`);
    const target = await this.getTarget(resource);
    if (target.holder?.execution.id === executionId) return { target };
    const record = await this.getExecution(executionId, target);
    if (!record) throw new NotFoundError(`execution ${executionId} does not exist`);
    return { record };
  }

  /** The terminal record of the target's holder, written with the target's release in one transaction; false when either moved. */
  private endWhileHeld(target: TargetState, record: ExecutionRecord, policy: Policy): Promise<boolean> {
    const settlement = settlementFor(target, record, policy);
    if (!settlement) return Promise.resolve(false);
    return transact(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: executionItem(record, this.retentionSeconds),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { Update: releaseUpdate(this.tableName, target, record.execution.id, settlement) },
    ]);
  }

  async markRunning({
    pending,
    fencingToken,
    executionRef,
    startTime,
    actor,
  }: MarkRunningInput): Promise<TransitionResult> {
    const record = started(pending, fencingToken, executionRef, startTime, actor);
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
      return {
        changed: false,
        record: current,
        why: `execution ${record.execution.id} is already ${current.execution.phase}`,
      };
    }
  }

  async finish(input: FinishInput): Promise<TransitionResult> {
    // A lost condition means another writer moved the execution (its start record, or another
    // completion): read again and decide on the new state, until it is terminal or ours.
    for (let attempt = 1; ; attempt++) {
      const result = await withConflictRetry(() => this.finishOnce(input));
      if (result !== LOST_RACE) return result;
      if (attempt >= FINISH_ATTEMPTS)
        throw new LockstepError(`execution ${input.executionId} kept changing while it was being finished`);
    }
  }

  private async finishOnce(input: FinishInput): Promise<TransitionResult | typeof LOST_RACE> {
    const { executionId, policy } = input;
    const stored = await this.getExecutionItem(executionId);
    // A duplicate or late event for an ended execution is the common case: it needs no second read.
    if (stored && isTerminal(stored.execution.phase)) return unchanged(stored);
    const targetResource =
      stored?.execution.targetResource ??
      input.targetResource ??
      (await this.findPending(executionId))?.execution.targetResource;
    if (!targetResource) throw new NotFoundError(`execution ${executionId} does not exist`);
    const target = await this.getTarget(targetResource);
    // Neither stored nor holding: it may have left Pending between the two reads.
    const current =
      stored ??
      (target.holder?.execution.id === executionId
        ? { ...target.holder, fencingToken: target.fencingToken }
        : await this.getExecutionItem(executionId));
    if (!current) throw new NotFoundError(`execution ${executionId} does not exist`);
    if (isTerminal(current.execution.phase) || (input.onlyFrom && current.execution.phase !== input.onlyFrom))
      return unchanged(current);

    const fencingToken = current.fencingToken ?? target.fencingToken;
    const record = finished(
      { ...current, fencingToken },
      {
        termination: input.termination,
        at: input.at,
        actor: input.actor,
        ...(input.cancel && { cancel: input.cancel }),
        ...(input.executionRef &&
          input.startTime && {
            overtakenStart: { executionRef: input.executionRef, startTime: input.startTime, actor: this.engineActor },
          }),
      },
    );
    const settlement = settlementFor(target, record, policy);
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: executionItem(record, this.retentionSeconds),
          ...(stored
            ? {
                ConditionExpression: 'execution.phase = :phase AND fencingToken = :token AND size(events) = :events',
                ExpressionAttributeValues: {
                  ':phase': stored.execution.phase,
                  ':token': fencingToken,
                  ':events': stored.events.length,
                },
              }
            : { ConditionExpression: 'attribute_not_exists(PK)' }),
        },
      },
    ];
    if (settlement) items.push({ Update: releaseUpdate(this.tableName, target, executionId, settlement) });
    return (await transact(this.doc, items)) ? { changed: true, record } : LOST_RACE;
  }

  async releaseLock({ targetResource, executionId, fencingToken, policy }: ReleaseLockInput): Promise<boolean> {
    const target = await this.getTarget(targetResource);
    if (target.holder?.execution.id !== executionId || target.fencingToken !== fencingToken) return false;
    const record = await this.getExecutionItem(executionId);
    if (!record || !isTerminal(record.execution.phase)) return false;
    const settlement = settlementFor(target, record, policy);
    return (
      settlement !== undefined &&
      transact(this.doc, [{ Update: releaseUpdate(this.tableName, target, executionId, settlement) }])
    );
  }

  async clearBlock({ targetResource, clearedBy, onBehalfOf, reason, at }: ClearBlockInput): Promise<TargetState> {
    const target = await this.getTarget(targetResource);
    const blocking =
      target.blockReason && target.blockedByExecutionId
        ? await this.getExecutionItem(target.blockedByExecutionId)
        : undefined;
    const clearance = cleared(target, {
      clearedBy,
      ...(onBehalfOf && { onBehalfOf }),
      reason,
      at,
      maxKept: this.maxBlockClearances,
      ...(blocking && { blocking }),
    });
    // What it stands in once cleared: the failed run's cooldown, if any, else nothing (it leaves the index).
    const index = standingClauses(targetResource, clearance.target);
    const sets = Object.keys(clearance.set).map((field) => `${field} = :${field}`);
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: targetKey(targetResource),
          UpdateExpression: `SET ${[...sets, ...index.sets].join(', ')} REMOVE ${[...CLEARED_FIELDS, ...index.removes].join(', ')}`,
          ConditionExpression: 'blockReason = :blockReason AND size(blockClearances) = :count',
          ExpressionAttributeValues: {
            ...Object.fromEntries(Object.entries(clearance.set).map(([field, value]) => [`:${field}`, value])),
            ':blockReason': target.blockReason,
            ':count': target.blockClearances.length,
            ...index.values,
          },
        },
      },
    ];
    const { blockingRecord } = clearance;
    if (blocking && blockingRecord) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: executionKey(blocking.execution.id),
          UpdateExpression: 'SET events = list_append(events, :event)',
          ConditionExpression: 'size(events) = :count',
          ExpressionAttributeValues: {
            ':event': blockingRecord.events.slice(blocking.events.length),
            ':count': blocking.events.length,
          },
        },
      });
    }
    if (!(await transact(this.doc, items)))
      throw new ConflictError(`target ${targetResource} changed while it was being cleared; read it and try again`);
    return clearance.target;
  }

  async getExecution(executionId: string, heldTarget?: TargetState): Promise<ExecutionRecord | undefined> {
    const stored = await this.getExecutionItem(executionId);
    if (stored) return stored;
    if (heldTarget?.holder?.execution.id === executionId)
      return { ...heldTarget.holder, fencingToken: heldTarget.fencingToken };
    // Not Pending either: it may have left Pending (its start recorded, or its end) between the two reads.
    return (await this.findPending(executionId)) ?? this.getExecutionItem(executionId);
  }

  async listExecutions(input: ListExecutionsInput): Promise<Page<Execution>> {
    return listTargetExecutions(
      {
        doc: this.doc,
        tableName: this.tableName,
        tokens: await this.pageTokens(),
        currentExecution: (target) => this.currentExecution(target),
      },
      input,
    );
  }

  async getTarget(targetResource: string): Promise<TargetState> {
    return targetFromItem(targetResource, await this.getTargetItem(targetResource));
  }

  async listTargets(input: ListTargetsInput): Promise<Page<TargetState>> {
    return listTargetsIn(this.doc, this.tableName, await this.pageTokens(), input);
  }

  async listActiveExecutions(input: ActiveExecutionsInput): Promise<Page<Execution>> {
    return listActiveExecutions(this.doc, this.tableName, await this.pageTokens(), input);
  }

  async listExecutionsCreated(input: CreatedExecutionsInput): Promise<Page<Execution>> {
    return listExecutionsCreated(this.doc, this.tableName, await this.pageTokens(), input);
  }

  /** Read once per store (a Lambda's cold start), on the first listing: never on the admission path. */
  private pageTokens(): Promise<PageTokens> {
    this.tokens ??= pageTokensFor(this.client, this.tableName).catch((error: unknown) => {
      this.tokens = undefined;
      throw error;
    });
    return this.tokens;
  }

  /** The execution holding the target in its current phase: its record once it left Pending, else the holder's snapshot. */
  private async currentExecution(targetResource: string): Promise<Execution | undefined> {
    const { holder } = await this.getTarget(targetResource);
    if (!holder) return undefined;
    return (await this.getExecutionItem(holder.execution.id))?.execution ?? holder.execution;
  }

  private async getTargetItem(targetResource: string): Promise<Item | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: targetKey(targetResource), ConsistentRead: true }),
    );
    return Item;
  }

  private async getExecutionItem(executionId: string): Promise<ExecutionRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: executionKey(executionId), ConsistentRead: true }),
    );
    return Item ? recordFromItem(Item) : undefined;
  }

  /**
   * An execution with no item yet is Pending or awaiting approval: find the target it holds
   * through the `active` index, by its id (both entries at once, one round).
   */
  private async findPending(executionId: string): Promise<ExecutionRecord | undefined> {
    const found = await Promise.all(
      [pendingKeys(executionId), awaitingApprovalKeys(executionId)].map(async (keys) => {
        const { Items } = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: active.name,
            KeyConditionExpression: '#pk = :pk AND #sk = :id',
            ExpressionAttributeNames: { '#pk': active.partitionKey, '#sk': active.sortKey },
            ExpressionAttributeValues: { ':pk': keys[active.partitionKey], ':id': keys[active.sortKey] },
          }),
        );
        return Items ?? [];
      }),
    );
    const item = found.flat()[0];
    if (!item) return undefined;
    // The index is eventually consistent: confirm on the table itself.
    const target = await this.getTarget(String(item.targetResource));
    if (target.holder?.execution.id === executionId) return { ...target.holder, fencingToken: target.fencingToken };
    return this.getExecutionItem(executionId);
  }
}

function unchanged(record: ExecutionRecord): TransitionResult {
  return { changed: false, record, why: `execution ${record.execution.id} is ${record.execution.phase}` };
}
