import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of the API under test
}

export interface ApiClient {
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

/**
 * Calls Lockstep's REST API as an IAM principal: every request is signed with SigV4 for
 * `execute-api`, as API Gateway's AWS_IAM authorization requires.
 */
export class SigV4ApiClient implements ApiClient {
  private readonly signer: SignatureV4;
  private readonly base: URL;

  constructor(options: { baseUrl: string; region: string; credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity> }) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.signer = new SignatureV4({ service: 'execute-api', region: options.region, credentials: options.credentials, sha256: Sha256 });
  }

  async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port && { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...(payload !== undefined && { 'content-type': 'application/json' }) },
      ...(payload !== undefined && { body: payload }),
    });
    const response = await fetch(url, { method, headers: signed.headers as Record<string, string>, ...(payload !== undefined && { body: payload }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (an API Gateway error page, say): keep the text for the assertion message
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
}
