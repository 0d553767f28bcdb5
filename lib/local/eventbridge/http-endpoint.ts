import { type AwsJsonEndpointOptions, AwsServiceError, startAwsJsonEndpoint } from '../aws-json-endpoint.js';
import type { ListeningServer } from '../http-listen.js';
import type { LocalEventBus, PutEventsEntry } from './local-event-bus.js';

/**
 * Sources that only the engine's own components emit. Step Functions' status events are
 * `aws.states`, and only the local Step Functions endpoint emits them (straight onto the bus):
 * a put of one could end a running execution. Rules match `source` exactly, so only this exact
 * spelling reaches them. Other `aws.*` sources may be put, signed, to stand in for services
 * local mode does not run (a CloudWatch alarm, for intake).
 */
const ENGINE_ONLY_SOURCES = new Set(['aws.states']);

/** As AWS answers a put of a source the caller may not use: that entry fails, the others go on. */
const notAuthorizedForSource = {
  ErrorCode: 'NotAuthorizedForSourceException',
  ErrorMessage: 'Not authorized for the source: only the local Step Functions endpoint emits aws.states events',
};

/**
 * EventBridge's JSON 1.1 protocol for PutEvents (and DescribeEventBus, for health checks),
 * so AWS SDK clients and the AWS CLI can put events on the local bus; only requests that
 * `authenticate` accepts (local mode: SigV4 with the token as secret) reach the bus.
 */
export async function startEventBridgeEndpoint(
  bus: LocalEventBus,
  authenticate: AwsJsonEndpointOptions['authenticate'],
  port = 0,
): Promise<ListeningServer> {
  return startAwsJsonEndpoint({
    targetPrefix: 'AWSEvents.',
    protocolVersion: '1.1',
    // The size limit is on the entries (the bus checks it); their JSON escaping makes a body up to six times larger.
    maxRequestBytes: 2 * 1024 * 1024,
    authenticate,
    port,
    operations: {
      PutEvents: (body) => {
        const entries = body.Entries as PutEventsEntry[] | undefined;
        if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10)
          throw new AwsServiceError('ValidationException', 'Entries must hold 1 to 10 entries');
        const refused = entries.map(
          (entry: unknown) =>
            typeof entry === 'object' &&
            entry !== null &&
            ENGINE_ONLY_SOURCES.has((entry as PutEventsEntry).Source as string),
        );
        const put = bus.putEvents(entries.filter((_, i) => !refused[i])).Entries;
        const results = refused.map((isRefused) => (isRefused ? notAuthorizedForSource : put.shift()!));
        return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
      },
      DescribeEventBus: (body) => {
        const name = typeof body.Name === 'string' ? body.Name : 'default';
        return { Name: name, Arn: `arn:aws:events:us-east-1:000000000000:event-bus/${name}` };
      },
    },
  });
}
