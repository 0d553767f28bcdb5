// CloudFormation custom resources: a deploy refuses a workflow version whose content changed, and brings an earlier
// layout's items up to date (see lib/handlers/workflow-versions-handler.ts).

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { backfillIndexKeys } from '../lib/adapters/dynamodb/index-backfill.js';
import { pageTokensFor } from '../lib/adapters/dynamodb/page-tokens.js';
import { checkWorkflowDigests, rememberWorkflowDigests } from '../lib/adapters/dynamodb/workflow-digests.js';
import { readWorkflowVersionsSettings } from '../lib/contract/environment.js';
import { createWorkflowVersionsHandler } from '../lib/handlers/workflow-versions-handler.js';

const { region, tableName } = readWorkflowVersionsSettings(process.env);
const client = new DynamoDBClient({ region });

const handle = createWorkflowVersionsHandler({
  check: (versions) => checkWorkflowDigests(client, tableName, versions),
  remember: (versions) => rememberWorkflowDigests(client, tableName, versions),
  // The table's layout, and its page-token key made before the first listing asks for it.
  upgrade: async () => [await backfillIndexKeys(client, tableName), await pageTokensFor(client, tableName)],
});

export const handler = middy(handle).use(
  injectLambdaContext(new Logger({ serviceName: 'lockstep' }), { resetKeys: true }),
);
