import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { StoredWrite } from '../domain/domain-events.js';
import type { Execution } from '../domain/execution.js';
import type { ExecutionChange } from '../ports/index.js';

/** One record of the table's stream (NEW_AND_OLD_IMAGES), as Lambda delivers it and as GetRecords returns it. */
export interface StreamRecord {
  eventName?: string;
  dynamodb?: {
    SequenceNumber?: string;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
}

/**
 * The execution writes among stream records, in stream order. An execution awaiting approval
 * lives on its target as the holder (like a Pending one), so a target write is taken as a
 * write of its holder (the one before it when the same execution held it). Other items (keys,
 * markers) and deletions (TTL collecting history) are no transitions and are left out.
 * The execution is taken as stored, unparsed: the store parsed it before writing it.
 */
export function executionChanges(records: readonly StreamRecord[]): ExecutionChange[] {
  const changes: ExecutionChange[] = [];
  for (const record of records) {
    const { NewImage, OldImage, SequenceNumber } = record.dynamodb ?? {};
    if (!NewImage || !SequenceNumber) continue;
    const after = imageOf(NewImage);
    const before = OldImage && imageOf(OldImage);
    if (after?.entity === 'execution') {
      changes.push({ sequenceNumber: SequenceNumber, after: stored(after), ...(before && { before: stored(before) }) });
    } else if (after?.entity === 'target' && isHolder(after.holder)) {
      const previous = isHolder(before?.holder) && before.holder.execution.id === after.holder.execution.id;
      changes.push({
        sequenceNumber: SequenceNumber,
        after: stored(after.holder),
        ...(previous && { before: stored(before.holder as Record<string, unknown>) }),
      });
    }
  }
  return changes;
}

function stored(item: Record<string, unknown>): StoredWrite['after'] {
  return { execution: item.execution as Execution, events: (item.events ?? []) as StoredWrite['after']['events'] };
}

function isHolder(value: unknown): value is { execution: Execution; events: unknown[] } {
  return typeof value === 'object' && value !== null && 'execution' in value;
}

function imageOf(image: Record<string, unknown>): Record<string, unknown> | undefined {
  return unmarshall(image as Record<string, AttributeValue>);
}
