import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Clock } from '../ports/index.js';

/** A request as the local endpoint received it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Why a request is refused, as AWS names it (`__type` on the wire). */
export interface Refusal {
  type: 'MissingAuthenticationTokenException' | 'IncompleteSignatureException' | 'InvalidSignatureException';
  message: string;
}

/** AWS refuses a signature whose date is more than 15 minutes from its own clock, either way. */
const MAX_SKEW_MS = 15 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/;

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';

/**
 * Checks SigV4 as AWS does, with `secret` as the only secret access key: the signature is
 * computed again over the received request (its method, path, query, the headers it signed
 * and the hash of the body it carries) with the request's own access key id, region and
 * service, and compared in constant time. The credential scope must name `service`, the
 * endpoint's own (`events`, `states`: what the AWS CLI and SDKs sign those calls for), as AWS
 * requires, so that a signature made for one endpoint opens no other; access key id and region
 * are free. The date must be within 15 minutes of `clock`: the clock the clients sign with
 * (the machine's), not the engine's, which tests move by hand.
 * Answers the refusal, or undefined for a request signed with the secret.
 */
export function sigV4Verifier(
  secret: string,
  clock: Clock,
  service: string,
): (request: ReceivedRequest) => Promise<Refusal | undefined> {
  return async (request) => {
    const authorization = request.headers.authorization;
    if (authorization === undefined)
      return {
        type: 'MissingAuthenticationTokenException',
        message: 'Missing Authentication Token: sign requests with SigV4, the local token as secret access key',
      };
    const match = AUTHORIZATION.exec(authorization);
    if (!match)
      return {
        type: 'IncompleteSignatureException',
        message: 'Authorization header is not a SigV4 (AWS4-HMAC-SHA256) signature',
      };
    const [, accessKeyId, scopeDate, region, scopeService, signedList, signature] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    // AWS's own words for a signature scoped to another service (service names are case-sensitive).
    if (scopeService !== service)
      return {
        type: 'InvalidSignatureException',
        message: `Credential should be scoped to correct service: '${service}'. `,
      };
    const signedHeaders = signedList.split(';');
    if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
      return { type: 'IncompleteSignatureException', message: "'Host' and 'X-Amz-Date' must be SignedHeaders" };

    const amzDate = single(request.headers['x-amz-date']);
    const date = AMZ_DATE.exec(amzDate ?? '');
    if (!date)
      return { type: 'IncompleteSignatureException', message: 'X-Amz-Date must be a date as yyyyMMddTHHmmssZ' };
    const signingDate = new Date(`${date[1]}-${date[2]}-${date[3]}T${date[4]}:${date[5]}:${date[6]}Z`);
    if (Number.isNaN(signingDate.getTime()) || amzDate!.slice(0, 8) !== scopeDate)
      return { type: 'InvalidSignatureException', message: 'the credential scope date is not the date of X-Amz-Date' };
    const now = clock.now();
    if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
      return {
        type: 'InvalidSignatureException',
        message: `Signature expired: ${amzDate} is not within 15 minutes of ${awsDate(now)}`,
      };
    }

    const bodyHash = createHash('sha256').update(request.body).digest('hex');
    const declaredHash = single(request.headers['x-amz-content-sha256']);
    if (declaredHash !== undefined && declaredHash !== bodyHash)
      return { type: 'InvalidSignatureException', message: 'x-amz-content-sha256 is not the SHA-256 of the body' };

    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = request.headers[name];
      if (value === undefined)
        return { type: 'InvalidSignatureException', message: `signed header ${name} is missing` };
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const url = new URL(request.url, 'http://localhost');
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? values[0]! : values;
    }
    const signer = new SignatureV4({
      service,
      region,
      credentials: { accessKeyId, secretAccessKey: secret },
      sha256: Sha256,
      applyChecksum: false,
    });
    const resigned = await signer.sign(
      {
        method: request.method,
        protocol: 'http:',
        hostname: url.hostname,
        path: url.pathname,
        query,
        headers,
        body: request.body,
      },
      // Exactly the headers the client signed, also those the signer would leave out by default (user-agent, for one).
      { signingDate, signableHeaders: new Set(signedHeaders) },
    );
    const expected = /Signature=([0-9a-f]{64})$/.exec(String(resigned.headers.authorization))?.[1] ?? '';
    return timingSafeEqual(Buffer.from(expected.padEnd(64)), Buffer.from(signature))
      ? undefined
      : { type: 'InvalidSignatureException', message: MISMATCH };
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function awsDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
