import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  bearerTokenAuthenticator,
  iamAuthenticator,
  type LocalToken,
  principalPattern,
} from '../../../lib/handlers/authenticators.js';
import { HttpError } from '../../../lib/handlers/http-errors.js';
import { apiGatewayPost } from '../../support/api-gateway-event.js';

const signedBy = (userArn: string | null, caller: string | null = null): APIGatewayProxyEvent => {
  const event = apiGatewayPost({});
  return {
    ...event,
    requestContext: { ...event.requestContext, identity: { ...event.requestContext.identity, userArn, caller } },
  };
};
const bearer = (authorization?: string): APIGatewayProxyEvent => ({
  ...apiGatewayPost({}),
  headers: authorization === undefined ? {} : { Authorization: authorization },
  multiValueHeaders: {},
});

describe('the IAM authenticator', () => {
  const session = 'arn:aws:sts::123456789012:assumed-role/chat-bot/session-1';

  it('takes the identity from the request context (an assumed role: its session ARN), with no role', async () => {
    expect(await iamAuthenticator()(signedBy(session))).toEqual({ identity: session, intermediary: false });
  });

  it('refuses an unsigned request with 401', () => {
    expect(() => iamAuthenticator()(signedBy(null))).toThrow(HttpError);
  });

  it.each([
    ['arn:aws:sts::123456789012:assumed-role/chat-bot/*', true],
    ['arn:aws:sts::*:assumed-role/chat-bot/*', true],
    ['*', true],
    [session, true],
    ['arn:aws:sts::123456789012:assumed-role/chat-*', true],
    // Everything but `*` is literal, the whole ARN must match, and case counts.
    ['arn:aws:sts::123456789012:assumed-role/chat.bot/*', false],
    ['arn:aws:sts::123456789012:assumed-role/chat-bot', false],
    ['assumed-role/chat-bot/*', false],
    ['arn:aws:sts::123456789012:assumed-role/Chat-Bot/*', false],
    ['arn:aws:sts::123456789012:assumed-role/chat-bot/session-?', false],
    ['arn:aws:sts::123456789012:assumed-role/(chat-bot)/*', false],
  ])('an intermediary when its ARN matches %j: %s', async (pattern, intermediary) => {
    expect((await iamAuthenticator(['arn:aws:iam::1:user/other', pattern])(signedBy(session))).intermediary).toBe(
      intermediary,
    );
    expect(principalPattern(pattern).test(session)).toBe(intermediary);
  });
});

describe('the bearer token authenticator (local mode)', () => {
  const printed = 'printed-token-0123456789abcdef';
  const tokens: LocalToken[] = [
    { name: 'viewer', token: 'viewer-token-0123456789abcdef', role: 'reader' },
    { name: 'bot', token: 'bot-token-0123456789abcdefghij', role: 'requester', intermediary: true },
  ];
  const authenticate = bearerTokenAuthenticator(printed, tokens);

  it('names the printed token token:local-admin, an admin, and each file token token:<name> with its role', async () => {
    expect(await authenticate(bearer(`Bearer ${printed}`))).toEqual({
      identity: 'token:local-admin',
      role: 'admin',
      intermediary: false,
    });
    expect(await authenticate(bearer(`Bearer ${tokens[0]!.token}`))).toEqual({
      identity: 'token:viewer',
      role: 'reader',
      intermediary: false,
    });
    expect(await authenticate(bearer(`bearer  ${tokens[1]!.token}`))).toEqual({
      identity: 'token:bot',
      role: 'requester',
      intermediary: true,
    });
  });

  it.each([
    undefined,
    '',
    'Bearer',
    `Basic ${printed}`,
    `Bearer ${printed.slice(0, -1)}`,
    `Bearer ${printed}x`,
    `Bearer ${tokens[0]!.token.toUpperCase()}`,
    `Bearer token:viewer`,
  ])('refuses %j with 401', (authorization) => {
    expect(() => authenticate(bearer(authorization))).toThrow(
      expect.objectContaining({ status: 401, code: 'Unauthorized' }),
    );
  });
});
