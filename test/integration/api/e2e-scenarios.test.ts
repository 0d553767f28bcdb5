import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SigV4ApiClient } from '../../../lib/cli/api-client.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local.js';
import { type LocalMode, startLocalMode } from '../../../lib/local/local-mode.js';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { SCENARIOS, type ScenarioContext } from '../../e2e/scenarios.js';
import { sigV4Authenticator } from '../../support/sigv4-verifier.js';

/**
 * The deployed tier's own code (SigV4 signing, the scenario runner, PutEvents) run against
 * local mode, where an authenticator recomputes every signature: what runs against
 * LocalStack or AWS is not untested code.
 */
describe('the e2e scenarios, against local mode with SigV4', () => {
  const credentials = { accessKeyId: 'AKIDE2ETEST', secretAccessKey: 'e2e-secret-key' };
  let local: LocalMode;
  let events: EventBridgeClient;
  let context: ScenarioContext;
  beforeAll(async () => {
    local = await startLocalMode(
      {
        port: 0,
        policy: DEFAULT_POLICY,
        sweepIntervalSeconds: 3600,
        tableName: `lockstep-test-${randomUUID()}`,
        dynamodbEndpoint: inject('dynamodbEndpoint'),
      },
      { clock: systemClock, authenticate: sigV4Authenticator(credentials, LOCAL_REGION), writeMetrics: () => {} },
    );
    events = new EventBridgeClient({
      endpoint: local.urls.eventbridge,
      region: LOCAL_REGION,
      credentials: local.credentials,
    });
    context = {
      api: new SigV4ApiClient({ baseUrl: local.urls.api, region: LOCAL_REGION, credentials }),
      sendRequestedEvent: async (detail) => {
        await events.send(
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
      },
      patienceMs: 20_000,
    };
  });
  afterAll(async () => {
    events.destroy();
    await local.stop();
  });

  for (const scenario of SCENARIOS) {
    it(scenario.name, () => scenario.run(context));
  }

  it('refuses a request signed with another secret, or unsigned', async () => {
    const forger = new SigV4ApiClient({
      baseUrl: local.urls.api,
      region: LOCAL_REGION,
      credentials: { ...credentials, secretAccessKey: 'wrong' },
    });
    expect((await forger.request('GET', '/workflows')).status).toBe(401);
    expect((await fetch(`${local.urls.api}/workflows`)).status).toBe(401);
  });
});
