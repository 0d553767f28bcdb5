import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_DEFINITION } from '../../contract/table.js';
import type { Execution } from '../../domain/execution.js';
import { progressOf } from '../../domain/phase.js';
import type { TargetState } from '../../domain/target.js';
import type { ActiveExecutionsInput, CreatedExecutionsInput, Page } from '../../ports/index.js';
import { executionKey, type Item, positionOf, recordFromItem } from './items.js';
import type { PageTokens } from './page-tokens.js';
import { CREATED_SHARDS } from './table-definition.js';
import { listTargetsIn } from './target-standing.js';

const { byCreated } = TABLE_DEFINITION.indexes;
const POSITION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#[A-Za-z0-9._:-]{1,128}$/;

/**
 * The executions holding their targets now (Pending or Running, read from the `Running`
 * shards of the `active` index; or awaiting approval, from the `AwaitingApproval` shards), each in its current phase (its record, read consistently,
 * once it has one). In shard order, then by execution id; reads grow with the active
 * executions, never with history.
 */
export async function listActiveExecutions(
  doc: DynamoDBDocumentClient,
  tableName: string,
  tokens: PageTokens,
  input: ActiveExecutionsInput,
): Promise<Page<Execution>> {
  const query = `active executions ${input.phase ?? 'any'} ${input.workflowId ?? '*'}`;
  const items: Execution[] = [];
  let nextToken = input.nextToken;
  do {
    const page = await listTargetsIn(
      doc,
      tableName,
      tokens,
      {
        state: input.phase === 'AwaitingApproval' ? 'AwaitingApproval' : 'Running',
        at: new Date(0),
        limit: input.limit - items.length,
        ...(nextToken && { nextToken }),
      },
      query,
    );
    const current = await currentExecutions(doc, tableName, page.items);
    items.push(
      ...current.filter(
        (e) => (!input.phase || e.phase === input.phase) && (!input.workflowId || e.workflowId === input.workflowId),
      ),
    );
    nextToken = page.nextToken;
  } while (nextToken && items.length < input.limit);
  return { items, ...(nextToken && { nextToken }) };
}

/**
 * Executions created in [since, until) across targets, newest first, each once and in its
 * current phase: the `by-created` shards merged with the active executions read from the
 * table (a Pending one has no execution item yet). Its reads are the page from each shard
 * plus the active executions: it grows with the answer and with what runs now, never with
 * history. Pages continue strictly below the last position returned, so executions created
 * meanwhile neither repeat nor shift a page. The phase and workflow filters apply within
 * the window.
 */
export async function listExecutionsCreated(
  doc: DynamoDBDocumentClient,
  tableName: string,
  tokens: PageTokens,
  input: CreatedExecutionsInput,
): Promise<Page<Execution>> {
  const { since, until, phase, workflowId, limit } = input;
  const query = `executions created ${since} ${until ?? 'now'} ${phase ?? 'any'} ${workflowId ?? '*'}`;
  const below =
    input.nextToken === undefined
      ? undefined
      : tokens.decode(query, input.nextToken, (p) => p.length === 1 && POSITION.test(p[0]!))[0];
  // Positions are `createdAt#id`: below `until` itself means created before it; '~' sorts after every position.
  const upper = below ?? until ?? '~';
  const fits = (e: Execution) =>
    (!phase || e.phase === phase) &&
    (!workflowId || e.workflowId === workflowId) &&
    e.createdAt >= since &&
    positionOf(e) < upper;

  // The active executions first, each read consistently (a Pending one has no item, so no by-created entry, yet),
  // then the shards: an execution that leaves the active ones between the two reads (a noop starts and ends in
  // milliseconds) is in the shards by then, so it is never in neither. Of two copies the further along wins; on a
  // tie the active one, read consistently (one that has just started may not be in the index yet).
  const active: Execution[] = [];
  for (const held of [{}, { phase: 'AwaitingApproval' as const }]) {
    let activeToken: string | undefined;
    do {
      const page = await listActiveExecutions(doc, tableName, tokens, {
        ...held,
        limit: 100,
        ...(activeToken && { nextToken: activeToken }),
      });
      active.push(...page.items);
      activeToken = page.nextToken;
    } while (activeToken);
  }

  const perShard = await Promise.all(
    Array.from({ length: CREATED_SHARDS }, async (_, shard) => {
      const found: Execution[] = [];
      let startKey: Item | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: byCreated.name,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :since AND :upper',
            ...((phase || workflowId) && {
              FilterExpression: [phase && 'execution.phase = :phase', workflowId && 'execution.workflowId = :workflow']
                .filter(Boolean)
                .join(' AND '),
            }),
            ExpressionAttributeNames: { '#pk': byCreated.partitionKey, '#sk': byCreated.sortKey },
            ExpressionAttributeValues: {
              ':pk': `C#${shard}`,
              ':since': since,
              ':upper': upper,
              ...(phase && { ':phase': phase }),
              ...(workflowId && { ':workflow': workflowId }),
            },
            ScanIndexForward: false,
            // One more than a page shows whether another follows.
            Limit: limit + 1,
            ExclusiveStartKey: startKey,
          }),
        );
        // BETWEEN includes its bounds; the last position returned is not returned again.
        found.push(
          ...(page.Items ?? []).map((item) => recordFromItem(item).execution).filter((e) => positionOf(e) !== below),
        );
        startKey = page.LastEvaluatedKey;
      } while (startKey && found.length <= limit);
      return found;
    }),
  );
  const latest = new Map<string, Execution>(active.map((execution) => [execution.id, execution]));
  for (const execution of perShard.flat()) {
    const seen = latest.get(execution.id);
    if (!seen || progressOf(execution.phase) > progressOf(seen.phase)) latest.set(execution.id, execution);
  }
  const sorted = [...latest.values()].filter(fits).sort((a, b) => (positionOf(a) < positionOf(b) ? 1 : -1));
  if (sorted.length <= limit) return { items: sorted };
  const items = sorted.slice(0, limit);
  return { items, nextToken: tokens.encode(query, [positionOf(items.at(-1)!)]) };
}

/** Each held target's execution in its current phase: its record, read consistently in one batch, else the holder (still Pending). */
async function currentExecutions(
  doc: DynamoDBDocumentClient,
  tableName: string,
  targets: readonly TargetState[],
): Promise<Execution[]> {
  const holders = targets.flatMap((t) => (t.holder ? [t.holder.execution] : []));
  if (holders.length === 0) return [];
  const records = new Map<string, Execution>();
  for (let i = 0; i < holders.length; i += 100) await readRecords(doc, tableName, holders.slice(i, i + 100), records);
  return holders.map((holder) => records.get(holder.id) ?? holder);
}

/** BatchGetItem takes at most 100 keys, and may leave some for another call. */
async function readRecords(
  doc: DynamoDBDocumentClient,
  tableName: string,
  executions: readonly Execution[],
  into: Map<string, Execution>,
): Promise<void> {
  let keys: Item[] | undefined = executions.map((e) => executionKey(e.id));
  while (keys && keys.length > 0) {
    const {
      Responses,
      UnprocessedKeys,
    }: { Responses?: Record<string, Item[]>; UnprocessedKeys?: Record<string, { Keys?: Item[] }> } = await doc.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    for (const item of Responses?.[tableName] ?? []) {
      const { execution } = recordFromItem(item);
      into.set(execution.id, execution);
    }
    keys = UnprocessedKeys?.[tableName]?.Keys;
  }
}
