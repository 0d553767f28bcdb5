import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, readBody, type ListeningServer } from '../http-listen.js';
import type { LocalEventBus, PutEventsEntry } from './local-event-bus.js';

const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * Serves EventBridge's JSON 1.1 protocol for PutEvents (and DescribeEventBus, for health
 * checks), so AWS SDK clients and the AWS CLI can put events on the local bus.
 */
export async function startEventBridgeEndpoint(bus: LocalEventBus, port = 0): Promise<ListeningServer> {
  return listen((req, res) => void handle(bus, req, res), port);
}

async function handle(bus: LocalEventBus, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const raw = await readBody(req, MAX_REQUEST_BYTES);
  if (!raw) return reply(res, 413, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit' });
  let body: { Entries?: PutEventsEntry[]; Name?: string };
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    return reply(res, 400, { __type: 'SerializationException', message: 'Request body is not JSON' });
  }
  if (target === 'AWSEvents.PutEvents') {
    if (!Array.isArray(body.Entries) || body.Entries.length === 0 || body.Entries.length > 10) {
      return reply(res, 400, { __type: 'ValidationException', message: 'Entries must hold 1 to 10 entries' });
    }
    return reply(res, 200, bus.putEvents(body.Entries));
  }
  if (target === 'AWSEvents.DescribeEventBus') {
    const name = body.Name ?? 'default';
    return reply(res, 200, { Name: name, Arn: `arn:aws:events:us-east-1:000000000000:event-bus/${name}` });
  }
  reply(res, 400, { __type: 'UnknownOperationException', message: `Unsupported operation: ${target || '(none)'}` });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID() });
  res.end(JSON.stringify(body));
}
