import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_DEFINITION } from '../../contract/table.js';
import type { Execution } from '../../domain/execution.js';
import { Phase } from '../../domain/phase.js';
import type { ListExecutionsInput, Page } from '../../ports/index.js';
import { positionOf, recordFromItem, targetPartitionKey } from './items.js';
import type { PageTokens } from './page-tokens.js';

const { byTarget } = TABLE_DEFINITION.indexes;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const EXECUTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface ListingSource {
  doc: DynamoDBDocumentClient;
  tableName: string;
  tokens: PageTokens;
  /** The execution holding the target, in its current phase (Pending until its record is written); a consistent read. */
  currentExecution(targetResource: string): Promise<Execution | undefined>;
}

/**
 * One target's executions, newest first, each once and in its current phase.
 *
 * The holder of the target is the only execution that can be AwaitingApproval, Pending or
 * Running, and the first two are not in the index yet: it is read from the target
 * (consistently) and merged at its place, replacing its index entry. A filter on one of those
 * phases therefore reads no history at all. Pages continue strictly below the last position returned, so executions
 * written meanwhile (always newer) neither repeat nor shift a page.
 */
export async function listTargetExecutions(
  source: ListingSource,
  { targetResource, phase, limit, nextToken }: ListExecutionsInput,
): Promise<Page<Execution>> {
  const query = `executions of ${targetResource} in ${phase ?? 'any phase'}`;
  const below =
    nextToken === undefined
      ? undefined
      : source.tokens
          .decode(query, nextToken, (p) => p.length === 2 && ISO_TIME.test(p[0]!) && EXECUTION_ID.test(p[1]!))
          .join('#');
  const current = await source.currentExecution(targetResource);
  const currentPosition = current && positionOf(current);
  const currentFits =
    current !== undefined && (!phase || current.phase === phase) && (below === undefined || currentPosition! < below);

  const items: Execution[] = [];
  let placed = !currentFits;
  if (phase === Phase.AwaitingApproval || phase === Phase.Pending || phase === Phase.Running) {
    if (!placed) items.push(current!);
    return { items };
  }
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await source.doc.send(
      new QueryCommand({
        TableName: source.tableName,
        IndexName: byTarget.name,
        KeyConditionExpression: below === undefined ? '#pk = :pk' : '#pk = :pk AND #sk < :below',
        ...(phase && { FilterExpression: 'execution.phase = :phase' }),
        ExpressionAttributeNames: {
          '#pk': byTarget.partitionKey,
          ...(below !== undefined && { '#sk': byTarget.sortKey }),
        },
        ExpressionAttributeValues: {
          ':pk': targetPartitionKey(targetResource),
          ...(below !== undefined && { ':below': below }),
          ...(phase && { ':phase': phase }),
        },
        ScanIndexForward: false,
        // One more than a page shows whether another follows; one more again for the holder's own entry.
        Limit: limit + 2,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const execution = recordFromItem(item).execution;
      if (execution.id === current?.id) continue;
      if (!placed && positionOf(execution) < currentPosition!) {
        items.push(current!);
        placed = true;
      }
      items.push(execution);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length <= limit);
  if (!placed && !startKey) items.push(current!);

  if (items.length <= limit) return { items };
  const last = items[limit - 1]!;
  return { items: items.slice(0, limit), nextToken: source.tokens.encode(query, [last.createdAt, last.id]) };
}
