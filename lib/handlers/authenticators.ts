import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Identity } from '../contract/api-objects.js';
import type { Role } from '../contract/routes.js';
import { header } from './headers.js';
import { HttpError } from './http-errors.js';

/**
 * Who is calling, from the request's credentials and never from its body (API.md, "Identity"):
 * the identity recorded on every decision, the role locally (on AWS IAM holds the roles, so
 * there is none), and whether its requests may carry `onBehalfOf`.
 */
export type Caller = Identity;

/** Says who is calling, or throws a 401. */
export type Authenticator = (event: APIGatewayProxyEvent) => Caller | Promise<Caller>;

/** One token of `LOCKSTEP_TOKENS_FILE` (API.md): its caller is `token:<name>`, with its role. */
export interface LocalToken {
  name: string;
  token: string;
  role: Role;
  intermediary?: boolean;
}

/** The name of local mode's printed token (`LOCKSTEP_TOKEN`, the data folder's, or a generated one): `token:local-admin`. */
export const PRINTED_TOKEN_NAME = 'local-admin';

const unauthorized = (message: string) => new HttpError(401, 'Unauthorized', message);

/** An IAM principal ARN pattern of the construct's `intermediaries`: `*` is any run of characters, the rest literal. */
export function principalPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * On AWS, API Gateway has already checked the SigV4 signature (AWS_IAM) and IAM the role: the
 * caller is the signing principal (for an assumed role, its session ARN).
 */
export function iamAuthenticator(intermediaries: readonly string[] = []): Authenticator {
  const patterns = intermediaries.map(principalPattern);
  return (event) => {
    const context = event.requestContext?.identity;
    const identity = context?.userArn ?? context?.caller;
    if (!identity) throw unauthorized('the request is not signed (AWS_IAM)');
    return { identity, intermediary: patterns.some((pattern) => pattern.test(identity)) };
  };
}

/**
 * Local mode: `Authorization: Bearer <token>`, the printed token (`token:local-admin`, admin) or
 * one of `LOCKSTEP_TOKENS_FILE`'s (`token:<name>`). Each token is compared by its SHA-256 in
 * constant time, and against every known token without stopping at a match, so that neither the
 * answer's time nor its length tells which token, or how much of one, was right.
 */
export function bearerTokenAuthenticator(printed: string, more: readonly LocalToken[] = []): Authenticator {
  const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();
  const known = [{ name: PRINTED_TOKEN_NAME, token: printed, role: 'admin' as const }, ...more].map(
    ({ token, name, role, intermediary }: LocalToken) => ({
      digest: digest(token),
      caller: { identity: `token:${name}`, role, intermediary: intermediary ?? false },
    }),
  );
  return (event) => {
    const authorization = header(event, 'authorization');
    const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
    if (!match) throw unauthorized('missing credentials: send Authorization: Bearer <token>');
    const given = digest(match[1]!);
    let caller: Caller | undefined;
    for (const entry of known) if (timingSafeEqual(given, entry.digest)) caller = entry.caller;
    if (!caller) throw unauthorized('wrong credentials');
    return caller;
  };
}
