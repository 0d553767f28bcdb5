import type { ListeningServer } from '../http-listen.js';
import { AwsServiceError, startAwsJsonEndpoint, type AwsJsonBody } from '../aws-json-endpoint.js';
import type { LocalStepFunctions } from './local-step-functions.js';

function required(body: AwsJsonBody, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new AwsServiceError('ValidationException', `${field} is required`);
  return value;
}

function optional<T>(body: AwsJsonBody, field: string): T | undefined {
  return body[field] === undefined || body[field] === null ? undefined : (body[field] as T);
}

/**
 * The Step Functions JSON 1.0 protocol for the operations the engine and its operators use,
 * so any AWS SDK client or the AWS CLI pointed at it works.
 */
export async function startStepFunctionsEndpoint(sfn: LocalStepFunctions, port = 0): Promise<ListeningServer> {
  return startAwsJsonEndpoint({
    targetPrefix: 'AWSStepFunctions.',
    protocolVersion: '1.0',
    maxRequestBytes: 1024 * 1024,
    port,
    operations: {
      CreateStateMachine: (b) => sfn.createStateMachine({ name: required(b, 'name'), definition: required(b, 'definition'), roleArn: optional(b, 'roleArn') }),
      DescribeStateMachine: (b) => sfn.describeStateMachine(required(b, 'stateMachineArn')),
      ListStateMachines: () => sfn.listStateMachines(),
      StartExecution: (b) => sfn.startExecution({ stateMachineArn: required(b, 'stateMachineArn'), name: optional(b, 'name'), input: optional(b, 'input') }),
      DescribeExecution: (b) => sfn.describeExecution(required(b, 'executionArn')),
      StopExecution: (b) => sfn.stopExecution({ executionArn: required(b, 'executionArn'), error: optional(b, 'error'), cause: optional(b, 'cause') }),
      ListExecutions: (b) =>
        sfn.listExecutions({ stateMachineArn: required(b, 'stateMachineArn'), statusFilter: optional(b, 'statusFilter'), maxResults: optional(b, 'maxResults'), nextToken: optional(b, 'nextToken') }),
      GetExecutionHistory: (b) =>
        sfn.getExecutionHistory({ executionArn: required(b, 'executionArn'), reverseOrder: optional(b, 'reverseOrder'), maxResults: optional(b, 'maxResults'), nextToken: optional(b, 'nextToken') }),
    },
  });
}
