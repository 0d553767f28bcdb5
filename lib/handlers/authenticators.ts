import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header } from './headers.js';
import { HttpError } from './http-errors.js';

/** Says who is calling, or throws a 401. */
export type Authenticator = (event: APIGatewayProxyEvent) => string | Promise<string>;

const unauthorized = (message: string) => new HttpError(401, 'Unauthorized', message);

/** On AWS, API Gateway has already checked the SigV4 signature (AWS_IAM): the caller is the signing principal. */
export const iamAuthenticator: Authenticator = (event) => {
  const identity = event.requestContext?.identity;
  const principal = identity?.userArn ?? identity?.caller;
  if (!principal) throw unauthorized('the request is not signed (AWS_IAM)');
  return principal;
};

/** Local mode: `Authorization: Bearer <token>`, compared in constant time. */
export function bearerTokenAuthenticator(token: string, principal = 'local-user'): Authenticator {
  const expected = Buffer.from(token, 'utf8');
  return (event) => {
    const authorization = header(event, 'authorization');
    const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
    if (!match) throw unauthorized('missing credentials: send Authorization: Bearer <token>');
    const given = Buffer.from(match[1]!, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized('wrong credentials');
    return principal;
  };
}
