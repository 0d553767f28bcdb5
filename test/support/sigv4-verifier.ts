import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Authenticator } from '../../lib/handlers/authenticators.js';
import { HttpError } from '../../lib/handlers/http-errors.js';

/**
 * Stands in for API Gateway's AWS_IAM check in local mode, so that the e2e tier's signing
 * is proven here: it recomputes the SigV4 signature of the request with the caller's
 * secret and refuses anything that does not match.
 */
export function sigV4Authenticator(
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
): Authenticator {
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  return async (event: APIGatewayProxyEvent) => {
    const headers = Object.fromEntries(
      Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value ?? '']),
    );
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/[^,]+, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
      headers.authorization ?? '',
    );
    if (!match || match[1] !== credentials.accessKeyId)
      throw new HttpError(401, 'Unauthorized', 'missing or foreign SigV4 signature');
    const signedHeaders = match[2]!.split(';');
    const amzDate = headers['x-amz-date'] ?? '';
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const [hostname, port] = (headers.host ?? '').split(':');
    const resigned = await signer.sign(
      {
        method: event.httpMethod,
        protocol: 'http:',
        hostname: hostname!,
        ...(port && { port: Number(port) }),
        path: event.path,
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers: Object.fromEntries(
          signedHeaders.filter((h) => h !== 'x-amz-date' && h !== 'authorization').map((h) => [h, headers[h] ?? '']),
        ),
        ...(event.body && { body: event.body }),
      },
      { signingDate },
    );
    const expected = /Signature=([0-9a-f]+)/.exec(String(resigned.headers.authorization))?.[1] ?? '';
    const given = match[3]!;
    if (expected.length !== given.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(given)))
      throw new HttpError(401, 'Unauthorized', 'the SigV4 signature does not match');
    // As on AWS: an IAM identity, no role (IAM holds the roles), not an intermediary.
    return { identity: `arn:aws:iam::000000000000:user/${credentials.accessKeyId}`, intermediary: false };
  };
}
