import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, readBody, type ListeningServer } from '../http-listen.js';
import { SfnServiceError, type LocalStepFunctions } from './local-step-functions.js';

const TARGET_PREFIX = 'AWSStepFunctions.';
const MAX_REQUEST_BYTES = 1024 * 1024;

type Body = Record<string, unknown>;
type Operation = (sfn: LocalStepFunctions, body: Body) => unknown;

function required(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new SfnServiceError('ValidationException', `${field} is required`);
  return value;
}

function optional<T>(body: Body, field: string): T | undefined {
  return body[field] === undefined || body[field] === null ? undefined : (body[field] as T);
}

const OPERATIONS: Record<string, Operation> = {
  CreateStateMachine: (sfn, b) => sfn.createStateMachine({ name: required(b, 'name'), definition: required(b, 'definition'), roleArn: optional(b, 'roleArn') }),
  DescribeStateMachine: (sfn, b) => sfn.describeStateMachine(required(b, 'stateMachineArn')),
  ListStateMachines: (sfn) => sfn.listStateMachines(),
  StartExecution: (sfn, b) => sfn.startExecution({ stateMachineArn: required(b, 'stateMachineArn'), name: optional(b, 'name'), input: optional(b, 'input') }),
  DescribeExecution: (sfn, b) => sfn.describeExecution(required(b, 'executionArn')),
  StopExecution: (sfn, b) => sfn.stopExecution({ executionArn: required(b, 'executionArn'), error: optional(b, 'error'), cause: optional(b, 'cause') }),
  ListExecutions: (sfn, b) =>
    sfn.listExecutions({ stateMachineArn: required(b, 'stateMachineArn'), statusFilter: optional(b, 'statusFilter'), maxResults: optional(b, 'maxResults'), nextToken: optional(b, 'nextToken') }),
  GetExecutionHistory: (sfn, b) =>
    sfn.getExecutionHistory({ executionArn: required(b, 'executionArn'), reverseOrder: optional(b, 'reverseOrder'), maxResults: optional(b, 'maxResults'), nextToken: optional(b, 'nextToken') }),
};

/**
 * Serves the Step Functions JSON 1.0 protocol (`X-Amz-Target: AWSStepFunctions.<Operation>`)
 * for the operations in {@link OPERATIONS}, so any AWS SDK client or the AWS CLI pointed at
 * it works. Timestamps go out as epoch seconds, errors as `{"__type", "message"}`.
 */
export async function startStepFunctionsEndpoint(sfn: LocalStepFunctions, port = 0): Promise<ListeningServer> {
  return listen((req, res) => void handle(sfn, req, res), port);
}

async function handle(sfn: LocalStepFunctions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX) ? OPERATIONS[target.slice(TARGET_PREFIX.length)] : undefined;
  if (req.method !== 'POST' || !operation) return reply(res, 400, { __type: 'UnknownOperationException', message: `Unsupported operation: ${target || '(none)'}` });
  const raw = await readBody(req, MAX_REQUEST_BYTES);
  if (!raw) return reply(res, 413, { __type: 'ValidationException', message: 'Request too large' });
  let body: Body;
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    return reply(res, 400, { __type: 'SerializationException', message: 'Request body is not JSON' });
  }
  try {
    reply(res, 200, operation(sfn, body) ?? {});
  } catch (error) {
    if (error instanceof SfnServiceError) return reply(res, 400, { __type: error.type, message: error.message });
    reply(res, 500, { __type: 'InternalServerError', message: 'internal error' });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  // Dates go out as epoch seconds; the replacer sees the raw value through `this`, before toJSON.
  const payload = JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': crypto.randomUUID(),
    ...(status >= 400 && { 'x-amzn-errortype': String((body as { __type?: string }).__type) }),
  });
  res.end(payload);
}
