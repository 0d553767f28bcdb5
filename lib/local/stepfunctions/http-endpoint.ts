import {
  type AwsJsonBody,
  type AwsJsonEndpointOptions,
  AwsServiceError,
  startAwsJsonEndpoint,
} from '../aws-json-endpoint.js';
import type { ListeningServer } from '../http-listen.js';
import type { LocalStepFunctions } from './local-step-functions.js';

type Status = Parameters<LocalStepFunctions['listExecutions']>[0]['statusFilter'];
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

function required(body: AwsJsonBody, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '')
    throw new AwsServiceError('ValidationException', `${field} is required`);
  return value;
}

/** An optional member of the request, refused when it is not of the type the API defines. */
function optional<T extends 'string' | 'number' | 'boolean'>(
  body: AwsJsonBody,
  field: string,
  type: T,
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw new AwsServiceError('ValidationException', `${field} must be a ${type}`);
  return value as never;
}

function statusFilter(body: AwsJsonBody): Status {
  const value = optional(body, 'statusFilter', 'string');
  if (value !== undefined && !STATUSES.includes(value))
    throw new AwsServiceError('ValidationException', `statusFilter must be one of ${STATUSES.join(', ')}`);
  return value as Status;
}

/**
 * The Step Functions JSON 1.0 protocol for the operations the engine and its operators use,
 * so any AWS SDK client or the AWS CLI pointed at it works. Members are read by name and
 * type-checked: a request cannot reach anything but the fields below, and only a request that
 * `authenticate` accepts (local mode: SigV4 with the token as secret) reaches any of them.
 */
export async function startStepFunctionsEndpoint(
  sfn: LocalStepFunctions,
  authenticate: AwsJsonEndpointOptions['authenticate'],
  port = 0,
): Promise<ListeningServer> {
  return startAwsJsonEndpoint({
    targetPrefix: 'AWSStepFunctions.',
    protocolVersion: '1.0',
    maxRequestBytes: 1024 * 1024,
    authenticate,
    port,
    operations: {
      CreateStateMachine: (b) =>
        sfn.createStateMachine({
          name: required(b, 'name'),
          definition: required(b, 'definition'),
          roleArn: optional(b, 'roleArn', 'string'),
        }),
      DescribeStateMachine: (b) => sfn.describeStateMachine(required(b, 'stateMachineArn')),
      ListStateMachines: () => sfn.listStateMachines(),
      StartExecution: (b) =>
        sfn.startExecution({
          stateMachineArn: required(b, 'stateMachineArn'),
          name: optional(b, 'name', 'string'),
          input: optional(b, 'input', 'string'),
        }),
      DescribeExecution: (b) => sfn.describeExecution(required(b, 'executionArn')),
      StopExecution: (b) =>
        sfn.stopExecution({
          executionArn: required(b, 'executionArn'),
          error: optional(b, 'error', 'string'),
          cause: optional(b, 'cause', 'string'),
        }),
      ListExecutions: (b) =>
        sfn.listExecutions({
          stateMachineArn: required(b, 'stateMachineArn'),
          statusFilter: statusFilter(b),
          maxResults: optional(b, 'maxResults', 'number'),
          nextToken: optional(b, 'nextToken', 'string'),
        }),
      GetExecutionHistory: (b) =>
        sfn.getExecutionHistory({
          executionArn: required(b, 'executionArn'),
          reverseOrder: optional(b, 'reverseOrder', 'boolean'),
          maxResults: optional(b, 'maxResults', 'number'),
          nextToken: optional(b, 'nextToken', 'string'),
        }),
    },
  });
}
