import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { backfillIndexKeys } from '../../adapters/dynamodb/index-backfill.js';
import { pageTokensFor } from '../../adapters/dynamodb/page-tokens.js';
import { checkWorkflowDigests, rememberWorkflowDigests } from '../../adapters/dynamodb/workflow-digests.js';
import { readWorkflowVersionsSettings } from '../../contract/environment.js';
import { createWorkflowVersionsHandler } from '../../handlers/workflow-versions-handler.js';
import { engineLogger } from '../engine-logger.js';
import { type FunctionDefinition, lambdaHandler } from '../handler-factory.js';

type Options = Parameters<typeof createWorkflowVersionsHandler>[0];

/**
 * CloudFormation custom resources: a deploy refuses a workflow version whose content changed, and brings an earlier
 * layout's items up to date (see lib/handlers/workflow-versions-handler.ts).
 */
export function workflowVersionsFunction(parts: Options): FunctionDefinition<unknown, { PhysicalResourceId: string }> {
  return { name: 'workflow-versions', timeoutMs: 30_000, build: () => createWorkflowVersionsHandler(parts) };
}

export function workflowVersionsLambda(env: Record<string, string | undefined>) {
  const { region, tableName } = readWorkflowVersionsSettings(env);
  const client = new DynamoDBClient({ region });
  return lambdaHandler(
    workflowVersionsFunction({
      check: (versions) => checkWorkflowDigests(client, tableName, versions),
      remember: (versions) => rememberWorkflowDigests(client, tableName, versions),
      // The table's layout, and its page-token key made before the first listing asks for it.
      upgrade: async () => [await backfillIndexKeys(client, tableName), await pageTokensFor(client, tableName)],
    }),
    engineLogger(),
  );
}
