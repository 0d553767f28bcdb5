import { DynamoDBStreamsClient, type GetRecordsCommandOutput } from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.js';

/**
 * A DynamoDB Streams client for DynamoDB Local. The Streams client reads an empty map
 * (`{"M":{}}`, an execution with no parameters) as an attribute value of no type at all,
 * `{}`, which no unmarshaller accepts (the DynamoDB client has its own codec for attribute
 * values; the Streams client does not). A typeless value can only be that empty map: it is
 * given back its type after each GetRecords.
 */
export function localDynamoDbStreamsClient(endpoint: string): DynamoDBStreamsClient {
  const client = new DynamoDBStreamsClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'GetRecordsCommand') {
        for (const record of (result.output as GetRecordsCommandOutput).Records ?? []) {
          if (record.dynamodb?.NewImage) typeEmptyMaps(record.dynamodb.NewImage);
          if (record.dynamodb?.OldImage) typeEmptyMaps(record.dynamodb.OldImage);
        }
      }
      return result;
    },
    { step: 'initialize', name: 'typeEmptyMaps' },
  );
  return client;
}

function typeEmptyMaps(attributes: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(attributes)) attributes[name] = typed(value as AttributeValue);
}

type AttributeValue = { M?: Record<string, unknown>; L?: AttributeValue[] };

function typed(value: AttributeValue): AttributeValue {
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.M) typeEmptyMaps(value.M);
  if (value.L) value.L = value.L.map(typed);
  return value;
}
