import { describe, expect, it } from 'vitest';
import { apiErrorOf } from '../../../lib/cli/api-client.js';
import { connect } from '../../../lib/cli/connection.js';

describe('which API and how it is called', () => {
  it("signs an API Gateway URL with SigV4 in the region of its host, and LocalStack's in the configured one", () => {
    expect(connect({ api: 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/v1' }, {}).auth).toBe(
      'sigv4 (eu-west-1)',
    );
    expect(connect({ api: 'https://abc123defg.execute-api.cn-north-1.amazonaws.com.cn/v1' }, {}).auth).toBe(
      'sigv4 (cn-north-1)',
    );
    expect(
      connect({ api: 'https://abc123defg.execute-api.us-gov-west-1.amazonaws.com/v1', region: 'us-east-2' }, {}).auth,
    ).toBe('sigv4 (us-east-2)');
    expect(
      connect({ api: 'https://abc123.execute-api.localhost.localstack.cloud:4566/v1' }, { AWS_REGION: 'eu-central-1' })
        .auth,
    ).toBe('sigv4 (eu-central-1)');
  });

  it('calls anything else with the bearer token, unless told to sign', () => {
    expect(connect({}, {}).client.baseUrl).toBe('http://127.0.0.1:3000');
    expect(connect({ token: 't' }, {}).auth).toBe('bearer token');
    expect(connect({ api: 'https://execute-api.example.com/' }, {}).auth).toBe('no token');
    expect(connect({ api: 'http://127.0.0.1:4000', sigv4: true }, { AWS_DEFAULT_REGION: 'ap-south-1' }).auth).toBe(
      'sigv4 (ap-south-1)',
    );
    expect(connect({ api: 'http://127.0.0.1:4000', sigv4: true }, {}).auth).toBe('sigv4 (us-east-1)');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => connect({ api: 'localhost:3000' }, {})).toThrow(/is not an http:\/\/ or https:\/\/ URL/);
    expect(() => connect({ api: '::' }, {})).toThrow(/is not a URL/);
  });
});

describe('the error of an answer', () => {
  const response = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    body,
    headers: new Headers(headers),
  });

  it("is the API's code, message and details", () => {
    const error = apiErrorOf(
      response(400, { error: { code: 'ValidationError', message: 'the body is not valid', details: ['body.x: bad'] } }),
    );
    expect(error).toMatchObject({
      status: 400,
      code: 'ValidationError',
      message: 'the body is not valid',
      details: ['body.x: bad'],
    });
    expect(error.describe()).toBe('ValidationError: the body is not valid\n  - body.x: bad');
  });

  it("is API Gateway's own answer when the API never saw the call", () => {
    expect(
      apiErrorOf(
        response(
          403,
          { message: 'Missing Authentication Token' },
          { 'x-amzn-errortype': 'MissingAuthenticationTokenException' },
        ),
      ).describe(),
    ).toBe('MissingAuthenticationTokenException: Missing Authentication Token');
    expect(apiErrorOf(response(403, { Message: 'User: arn:aws:iam::1:user/x is not authorized' })).describe()).toBe(
      'HTTP403: the API answered 403',
    );
    expect(apiErrorOf(response(502, '<html>Bad Gateway</html>')).describe()).toBe('HTTP502: <html>Bad Gateway</html>');
  });
});
