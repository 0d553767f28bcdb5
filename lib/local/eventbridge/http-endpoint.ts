import type { ListeningServer } from '../http-listen.js';
import { AwsServiceError, startAwsJsonEndpoint } from '../aws-json-endpoint.js';
import type { LocalEventBus, PutEventsEntry } from './local-event-bus.js';

/**
 * EventBridge's JSON 1.1 protocol for PutEvents (and DescribeEventBus, for health checks),
 * so AWS SDK clients and the AWS CLI can put events on the local bus.
 */
export async function startEventBridgeEndpoint(bus: LocalEventBus, port = 0): Promise<ListeningServer> {
  return startAwsJsonEndpoint({
    targetPrefix: 'AWSEvents.',
    protocolVersion: '1.1',
    // The size limit is on the entries (the bus checks it); their JSON escaping makes a body up to six times larger.
    maxRequestBytes: 2 * 1024 * 1024,
    port,
    operations: {
      PutEvents: (body) => {
        const entries = body.Entries as PutEventsEntry[] | undefined;
        if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) throw new AwsServiceError('ValidationException', 'Entries must hold 1 to 10 entries');
        return bus.putEvents(entries);
      },
      DescribeEventBus: (body) => {
        const name = typeof body.Name === 'string' ? body.Name : 'default';
        return { Name: name, Arn: `arn:aws:events:us-east-1:000000000000:event-bus/${name}` };
      },
    },
  });
}
