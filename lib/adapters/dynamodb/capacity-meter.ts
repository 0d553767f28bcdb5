import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface MeteredRequest {
  command: string;
  /** Capacity units DynamoDB reported (`ReturnConsumedCapacity=TOTAL`); absent where it reports none, as on a refused condition. */
  capacityUnits?: number;
  /** Items the request read (scanned, for a query): what a read costs grows with this. */
  itemsRead: number;
  failed: boolean;
}

/**
 * Records every request a DynamoDB client sends and the capacity DynamoDB says it consumed.
 * Used to measure what an admission or a lifecycle costs (docs/engine.md, docs/benchmarks.md).
 */
export class CapacityMeter {
  readonly requests: MeteredRequest[] = [];

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        try {
          const result = await next(args);
          this.requests.push({
            command,
            failed: false,
            itemsRead: itemsReadBy(result.output),
            ...capacityOf(result.output),
          });
          return result;
        } catch (error) {
          this.requests.push({ command, failed: true, itemsRead: 0 });
          throw error;
        }
      },
      { step: 'initialize', name: 'lockstepCapacityMeter' },
    );
    return this;
  }

  /** What happened since `mark` (an index from {@link position}). */
  since(mark: number): {
    requests: number;
    writes: number;
    reads: number;
    itemsRead: number;
    capacityUnits: number;
    byCommand: Record<string, number>;
  } {
    const slice = this.requests.slice(mark);
    const byCommand: Record<string, number> = {};
    for (const request of slice) byCommand[request.command] = (byCommand[request.command] ?? 0) + 1;
    return {
      requests: slice.length,
      writes: slice.filter((r) => WRITE_COMMANDS.has(r.command)).length,
      reads: slice.filter((r) => !WRITE_COMMANDS.has(r.command)).length,
      itemsRead: slice.reduce((sum, r) => sum + r.itemsRead, 0),
      capacityUnits: slice.reduce((sum, r) => sum + (r.capacityUnits ?? 0), 0),
      byCommand,
    };
  }

  position(): number {
    return this.requests.length;
  }
}

const WRITE_COMMANDS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

function capacityOf(output: unknown): { capacityUnits?: number } {
  const consumed = (output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] })
    .ConsumedCapacity;
  if (consumed === undefined) return {};
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return { capacityUnits: list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0) };
}

function itemsReadBy(output: unknown): number {
  const o = output as { ScannedCount?: number; Item?: unknown; Responses?: Record<string, unknown[]> | unknown[] };
  if (o.ScannedCount !== undefined) return o.ScannedCount;
  if (o.Item !== undefined) return 1;
  if (Array.isArray(o.Responses)) return o.Responses.length;
  if (o.Responses) return Object.values(o.Responses).reduce((sum, items) => sum + items.length, 0);
  return 0;
}
