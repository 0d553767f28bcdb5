// The benchmark's baseline function: the least a Lambda function that talks to DynamoDB does at
// cold start (one client), bundled exactly as the engine's functions are. Cold initialization
// is reported as a multiple of this one's, measured in the same run on the same machine.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async (): Promise<{ region: string }> => ({ region: await client.config.region() });
