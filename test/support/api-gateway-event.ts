import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** POST /executions as API Gateway (REST, AWS_IAM) hands it to the api function. */
export function apiGatewayPost(body: Record<string, unknown>): APIGatewayProxyEvent {
  const text = JSON.stringify(body);
  return {
    resource: '/{proxy+}',
    path: '/executions',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: { 'content-type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'executions' },
    stageVariables: null,
    body: text,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: null,
      httpMethod: 'POST',
      path: '/prod/executions',
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: 1_796_000_000_000,
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
      stage: 'prod',
      identity: {
        accessKey: null,
        accountId: '123456789012',
        apiKey: null,
        apiKeyId: null,
        caller: 'AROAEXAMPLE:ops',
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: 'AROAEXAMPLE:ops',
        userAgent: 'aws-cli/2',
        userArn: 'arn:aws:sts::123456789012:assumed-role/ops/ops',
      },
    },
  };
}
