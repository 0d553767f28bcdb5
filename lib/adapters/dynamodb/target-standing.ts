import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_DEFINITION } from '../../contract/table.js';
import type { Standing, TargetState } from '../../domain/target.js';
import type { ListTargetsInput, Page } from '../../ports/index.js';
import { type Item, shardOf as shardIn, targetFromItem, targetPartitionKey } from './items.js';
import type { PageTokens } from './page-tokens.js';
import { STANDING_SHARDS } from './table-definition.js';

const { active } = TABLE_DEFINITION.indexes;

/** What a position in each state's shards looks like (see `standingKeys`): a token holding anything else is refused. */
const POSITION: Record<ListTargetsInput['state'], RegExp> = {
  AwaitingApproval: /^[A-Za-z0-9._:-]{1,128}$/,
  Running: /^[A-Za-z0-9._:-]{1,128}$/,
  Blocked: /^T#[0-9a-f]{64}$/,
  CoolingDown: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#T#[0-9a-f]{64}$/,
  BackingOff: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#T#[0-9a-f]{64}$/,
};

const shardOf = (key: string) => shardIn(key, STANDING_SHARDS);

/**
 * The `active` index's keys for what a target stands in (see `standingOf`); absent for an
 * idle target, so the index holds only targets that are held, blocked or in a window. Each
 * state is sharded (`Running#0`…`Running#7`) so that no partition takes the writes of every
 * active target. A held target's key is its holder's execution id, which finds a Pending
 * execution (or one awaiting approval) by its id alone; a window's key starts with its end, so a query returns only the
 * windows still open.
 */
export function standingKeys(canonicalTarget: string, standing: Standing, holderId?: string): Item {
  const target = targetPartitionKey(canonicalTarget);
  if (standing.state === 'Running' || standing.state === 'AwaitingApproval')
    return { [active.partitionKey]: `${standing.state}#${shardOf(holderId!)}`, [active.sortKey]: holderId! };
  const sortKey = 'until' in standing ? `${standing.until}#${target}` : target;
  return { [active.partitionKey]: `${standing.state}#${shardOf(target)}`, [active.sortKey]: sortKey };
}

/** The index entry of the target a Pending execution holds (it has no execution item yet). */
export function pendingKeys(executionId: string): Item {
  return { [active.partitionKey]: `Running#${shardOf(executionId)}`, [active.sortKey]: executionId };
}

/**
 * The index entry of the target an execution awaiting approval holds: a state of its own, so
 * that `GET /targets?state=AwaitingApproval` and the sweeper's expiry find exactly those, and
 * keyed by the execution's id like a Pending one, so it is found by its id alone.
 */
export function awaitingApprovalKeys(executionId: string): Item {
  return { [active.partitionKey]: `AwaitingApproval#${shardOf(executionId)}`, [active.sortKey]: executionId };
}

/** The index entry of a held target, by its holder's phase. */
export function heldKeys(holder: { execution: { id: string; phase: string } }): Item {
  const { id, phase } = holder.execution;
  return phase === 'AwaitingApproval' ? awaitingApprovalKeys(id) : pendingKeys(id);
}

/**
 * The targets standing in `state` at `at`, shard after shard, each once. A window's targets
 * are those whose window ends after `at` (one that has just closed is Idle). Pages continue
 * after the last key returned in its shard, so targets that change meanwhile are neither
 * repeated nor skipped for the part already read.
 */
export async function listTargetsIn(
  doc: DynamoDBDocumentClient,
  tableName: string,
  tokens: PageTokens,
  { state, at, limit, nextToken }: ListTargetsInput,
  /** What the page tokens are bound to: another listing read through this one has tokens of its own. */
  query = `targets ${state}`,
): Promise<Page<TargetState>> {
  const [shardText, after] =
    nextToken === undefined
      ? ['0', undefined]
      : tokens.decode(
          query,
          nextToken,
          (p) => p.length === 2 && /^\d+$/.test(p[0]!) && Number(p[0]) < STANDING_SHARDS && POSITION[state].test(p[1]!),
        );
  const windowOpen = state === 'CoolingDown' || state === 'BackingOff' ? `${at.toISOString()}#~` : undefined;
  const items: TargetState[] = [];
  let last: [string, string] | undefined;
  for (let shard = Number(shardText); shard < STANDING_SHARDS; shard++) {
    const from = [shard === Number(shardText) ? after : undefined, windowOpen]
      .filter((bound) => bound !== undefined)
      .sort()
      .at(-1);
    let startKey: Item | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: active.name,
          KeyConditionExpression: from === undefined ? '#pk = :pk' : '#pk = :pk AND #sk > :from',
          ExpressionAttributeNames: {
            '#pk': active.partitionKey,
            ...(from !== undefined && { '#sk': active.sortKey }),
          },
          ExpressionAttributeValues: { ':pk': `${state}#${shard}`, ...(from !== undefined && { ':from': from }) },
          // One more than the page needs shows whether another follows.
          Limit: limit - items.length + 1,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (items.length === limit) return { items, nextToken: tokens.encode(query, last!) };
        items.push(targetFromItem(String(item.targetResource), item));
        last = [String(shard), String(item[active.sortKey])];
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return { items };
}
