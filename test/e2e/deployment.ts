import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SigV4ApiClient } from '../../lib/cli/api-client.js';
import type { ScenarioContext } from './scenarios.js';

/**
 * The deployment the e2e tier runs against, from the environment:
 * - `LOCKSTEP_API_URL`: the stack's `ApiUrl` output (required);
 * - `AWS_ENDPOINT_URL`: LocalStack's endpoint (absent for a real account);
 * - `AWS_REGION` (default us-east-1) and the usual credential chain.
 * Says why when there is nothing to run against.
 */
export async function findDeployment(
  env: Record<string, string | undefined>,
): Promise<{ context: ScenarioContext; close(): void } | { skipped: string }> {
  const apiUrl = env.LOCKSTEP_API_URL;
  if (!apiUrl)
    return {
      skipped:
        'LOCKSTEP_API_URL is not set: deploy the stack (npm run deploy:localstack, or cdk deploy) and export its ApiUrl output',
    };
  try {
    const health = await fetch(new URL('health', apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`), {
      signal: AbortSignal.timeout(5000),
    });
    if (health.status !== 200)
      return { skipped: `${apiUrl} answered GET /health with ${health.status}, not a Lockstep deployment` };
  } catch (error) {
    return { skipped: `no deployment is reachable at ${apiUrl}: ${(error as Error).message}` };
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const credentials = fromNodeProviderChain();
  const events = new EventBridgeClient({
    region,
    credentials,
    ...(env.AWS_ENDPOINT_URL && { endpoint: env.AWS_ENDPOINT_URL }),
  });
  return {
    context: {
      api: new SigV4ApiClient({ baseUrl: apiUrl, region, credentials }),
      sendRequestedEvent: async (detail) => {
        const out = await events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: 'lockstep',
                Source: 'lockstep.e2e',
                DetailType: 'WorkflowExecution Requested',
                Detail: JSON.stringify(detail),
              },
            ],
          }),
        );
        if (out.FailedEntryCount) throw new Error(`PutEvents refused the request: ${JSON.stringify(out.Entries)}`);
      },
      patienceMs: 120_000,
    },
    close: () => events.destroy(),
  };
}
