import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_DEFINITION } from '../../contract/table.js';
import { ValidationError } from '../../domain/errors.js';

const VERSION = 1;
const TOKEN = /^[A-Za-z0-9_-]{1,1024}\.[A-Za-z0-9_-]{22}$/;
/** Where the table keeps the key its page tokens are signed with. */
const KEY_ITEM = { [TABLE_DEFINITION.partitionKey]: 'KEY', [TABLE_DEFINITION.sortKey]: 'PAGE_TOKENS' };

/**
 * Page tokens are opaque cursors: a position in the results of one query (say, "this target's
 * Completed executions"), bound to that query by a fingerprint and signed with a key only the
 * engine holds. They carry no table key, index name or hash, so the table's layout can change
 * without breaking callers, and a token is refused (400) when it is truncated, altered, made
 * up, or taken from another query.
 */
export class PageTokens {
  constructor(private readonly key: Buffer) {}

  encode(query: string, position: readonly string[]): string {
    const payload = Buffer.from(JSON.stringify([VERSION, fingerprint(query), ...position]), 'utf8').toString(
      'base64url',
    );
    return `${payload}.${this.signature(payload)}`;
  }

  /** The position a token holds, checked field by field with `valid`; a 400 ValidationError for anything else. */
  decode(query: string, token: string, valid: (position: string[]) => boolean): string[] {
    const refuse = (why: string) =>
      new ValidationError(`nextToken is not a token this API issued for this query: ${why}`, [
        `query.nextToken: ${why}`,
      ]);
    if (!TOKEN.test(token)) throw refuse('it is malformed');
    const [payload, signature] = token.split('.') as [string, string];
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw refuse('it is malformed');
    }
    if (
      !Array.isArray(decoded) ||
      decoded[0] !== VERSION ||
      !decoded.every((part) => typeof part === 'string' || part === VERSION)
    )
      throw refuse('it is malformed');
    const [, issuedFor, ...position] = decoded as [number, string, ...string[]];
    if (issuedFor !== fingerprint(query)) throw refuse('it belongs to another query');
    if (!timingSafeEqual(Buffer.from(signature), Buffer.from(this.signature(payload)))) throw refuse('it was altered');
    if (!valid(position)) throw refuse('it is malformed');
    return position;
  }

  private signature(payload: string): string {
    return createHmac('sha256', this.key).update(payload, 'utf8').digest('base64url').slice(0, 22);
  }
}

/** The table's page-token key: read once, or made (by whichever process asks first) when the table has none. */
export async function pageTokensFor(client: DynamoDBClient, tableName: string): Promise<PageTokens> {
  const doc = DynamoDBDocumentClient.from(client);
  const read = async () =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: KEY_ITEM, ConsistentRead: true }))).Item?.secret as
      | string
      | undefined;
  let secret = await read();
  if (secret === undefined) {
    try {
      secret = randomBytes(32).toString('base64');
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...KEY_ITEM, entity: 'key', secret },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE_DEFINITION.partitionKey },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      secret = (await read())!;
    }
  }
  return new PageTokens(Buffer.from(secret, 'base64'));
}

function fingerprint(query: string): string {
  return createHash('sha256').update(query, 'utf8').digest('base64url').slice(0, 16);
}
