import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;
export type TransactUpdate = NonNullable<TransactItems[number]['Update']>;

/** A write that collided with a transaction in flight on the same item is retried this many times. */
const CONFLICT_ATTEMPTS = 5;

/** Runs a transaction; `false` when a condition failed (someone else got there first). */
export async function transact(doc: DynamoDBDocumentClient, items: TransactItems): Promise<boolean> {
  try {
    await withConflictRetry(() =>
      doc.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' })),
    );
    return true;
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
    )
      return false;
    throw error;
  }
}

/**
 * DynamoDB refuses a write to an item that a transaction is changing right now
 * (TransactionConflict); that is no answer to the write's condition, so it is retried
 * after a short jittered pause.
 */
export async function withConflictRetry<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
    }
  }
}

function isTransactionConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionConflictException') return true;
  return (
    error instanceof TransactionCanceledException &&
    !!error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict') &&
    !error.CancellationReasons.some((r) => r.Code === 'ConditionalCheckFailed')
  );
}
