import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { ApiError, CliError, UnreachableError } from './errors.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the API's JSON, shaped by API.md
}

export interface ApiClient {
  /** The API's URL, as given. */
  readonly baseUrl: string;
  /** One call; `path` is relative to the base URL (its stage, for API Gateway) and may carry a query. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
}

/** A header value HTTP carries as it is: printable ASCII, with no white space at either end (which HTTP drops). */
export const SENDABLE_HEADER_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

/** How long one call may take before the command gives up on it (API Gateway's own limit is 29 s). */
const REQUEST_TIMEOUT_MS = 60_000;

interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payload: string | undefined;
}

/** The HTTP part both clients share: the URL, the JSON body, the answer, and a clear error when there is no answer. */
abstract class HttpApiClient implements ApiClient {
  private readonly base: URL;

  constructor(readonly baseUrl: string) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  /** The headers to send: the given ones plus the credentials. */
  protected abstract authorize(request: OutgoingRequest): Promise<Record<string, string>>;

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    // A path that resolves elsewhere (another host, or above the API's stage) is never sent with the credentials.
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname))
      throw new UnreachableError(`${path.slice(0, 200)} is not a path of ${this.baseUrl}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = {
      method,
      url,
      headers: { ...headers, ...(payload !== undefined && { 'content-type': 'application/json' }) },
      payload,
    };
    const authorized = await this.authorize(outgoing);
    // A value fetch would refuse or alter is the caller's mistake, never a network failure; a credential is not printed.
    for (const [name, value] of Object.entries(authorized)) {
      if (!SENDABLE_HEADER_VALUE.test(value)) {
        throw new CliError(
          `cannot send the ${name} header: ${name === 'authorization' ? 'its value' : JSON.stringify(value)} holds what HTTP headers cannot carry (printable ASCII only, no space at either end)`,
        );
      }
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: authorized,
        ...(payload !== undefined && { body: payload }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      if (!isNetworkFailure(error))
        throw new CliError(`the request could not be made: ${reasonOf(error)}`, undefined, { cause: error });
      throw new UnreachableError(`cannot reach ${this.baseUrl}: ${reasonOf(error)}`, undefined, { cause: error });
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (a proxy's error page, say): keep the text for the message
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
}

/** Local mode: `Authorization: Bearer <token>` (no token: the request goes without, and the API says 401). */
export class BearerApiClient extends HttpApiClient {
  private readonly token: string | undefined;

  constructor(options: { baseUrl: string; token?: string | undefined }) {
    super(options.baseUrl);
    this.token = options.token;
  }

  protected async authorize(request: OutgoingRequest): Promise<Record<string, string>> {
    return { ...request.headers, ...(this.token && { authorization: `Bearer ${this.token}` }) };
  }
}

/**
 * Calls Lockstep's REST API as an IAM principal: every request is signed with SigV4 for
 * `execute-api`, as API Gateway's AWS_IAM authorization requires.
 */
export class SigV4ApiClient extends HttpApiClient {
  private readonly signer: SignatureV4;

  constructor(options: {
    baseUrl: string;
    region: string;
    credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  }) {
    super(options.baseUrl);
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: options.region,
      credentials: options.credentials,
      sha256: Sha256,
    });
  }

  protected async authorize({ method, url, headers, payload }: OutgoingRequest): Promise<Record<string, string>> {
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port && { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...headers },
      ...(payload !== undefined && { body: payload }),
    });
    return signed.headers as Record<string, string>;
  }
}

/**
 * The error of a non-2xx answer: API.md's `{"error": {code, message, details?}}`, or for an
 * answer from something in front of the API (API Gateway's own 403 `{"message": ...}`, a
 * proxy's page) the status and what it said.
 */
export function apiErrorOf(response: ApiResponse): ApiError {
  const { body } = response;
  const error = body && typeof body === 'object' ? body.error : undefined;
  if (error && typeof error === 'object' && typeof error.code === 'string') {
    const details = Array.isArray(error.details) ? error.details.map(String) : [];
    return new ApiError(response.status, error.code, String(error.message ?? ''), details);
  }
  const code = response.headers.get('x-amzn-errortype')?.split(':')[0] || `HTTP${response.status}`;
  const message =
    body && typeof body === 'object' && typeof body.message === 'string'
      ? body.message
      : typeof body === 'string' && body.trim()
        ? body.trim().slice(0, 500)
        : `the API answered ${response.status}`;
  return new ApiError(response.status, code, message);
}

/** No answer in time, or fetch's own "fetch failed" over a socket error; not a request fetch refused to build (undici's `UND_ERR_INVALID_*`). */
function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return (
    error instanceof TypeError &&
    error.message === 'fetch failed' &&
    !(typeof code === 'string' && code.startsWith('UND_ERR_INVALID'))
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
