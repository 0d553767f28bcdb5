// The benchmark's baseline function: the least a Lambda function that talks to DynamoDB does at
// cold start (one client), bundled exactly as the engine's functions are. Cold initialization
// is reported as a multiple of this one's, measured in the same run on the same machine; its
// handler makes one conditional write (the first answer the api's first answer is set against).
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async (event: { tableName: string; key: string }): Promise<{ statusCode: number }> => {
  await client.send(
    new UpdateItemCommand({
      TableName: event.tableName,
      Key: { PK: { S: event.key }, SK: { S: event.key } },
      UpdateExpression: 'SET written = :one',
      ConditionExpression: 'attribute_not_exists(PK)',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    }),
  );
  return { statusCode: 200 };
};
