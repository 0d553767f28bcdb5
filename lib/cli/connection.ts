import type { AwsCredentialIdentity } from '@smithy/types';
import { type ApiClient, BearerApiClient, SENDABLE_HEADER_VALUE, SigV4ApiClient } from './api-client.js';
import { CliError } from './errors.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
/** The region a signed call uses when neither the URL, `--region` nor the environment names one (LocalStack's default). */
const FALLBACK_REGION = 'us-east-1';
/** An API Gateway URL: `https://<id>.execute-api.<region>.amazonaws.com[.cn]/<stage>`, and LocalStack's `<id>.execute-api.localhost.localstack.cloud`. */
const EXECUTE_API_HOST =
  /^[a-z0-9]+\.execute-api\.(?:([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?|localhost\.localstack\.cloud)$/;

/** The global options, as commander read them (flags first, then LOCKSTEP_* variables). */
export interface ConnectionOptions {
  api?: string;
  token?: string;
  sigv4?: boolean;
  region?: string;
}

export interface Connection {
  client: ApiClient;
  /** How calls are authenticated: `sigv4 (<region>)` or `bearer token` / `no token`. */
  auth: string;
}

/**
 * The client for the API the options point at. A deployed stack's URL (an `execute-api` host),
 * `--sigv4` or `LOCKSTEP_SIGV4=1` sign every call with SigV4 for `execute-api`, with credentials
 * from the standard AWS chain (environment, profile, SSO, container, instance); the region comes
 * from `--region`, else the host, else `AWS_REGION` / `AWS_DEFAULT_REGION`. Anything else is
 * local mode, called with `Authorization: Bearer <token>`.
 */
export function connect(options: ConnectionOptions, env: Record<string, string | undefined>): Connection {
  const baseUrl = options.api || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new CliError(`--api: "${baseUrl}" is not a URL (for example ${DEFAULT_API_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`--api: "${baseUrl}" is not an http:// or https:// URL`);
  const hostRegion = EXECUTE_API_HOST.exec(url.hostname);
  if (!options.sigv4 && !hostRegion) {
    // Sent as `Authorization: Bearer <token>`; never printed.
    if (options.token && !SENDABLE_HEADER_VALUE.test(options.token)) {
      throw new CliError(
        '--token (LOCKSTEP_TOKEN): the token holds what an HTTP header cannot carry (printable ASCII only, no space at either end); check what was pasted',
      );
    }
    return {
      client: new BearerApiClient({ baseUrl, token: options.token }),
      auth: options.token ? 'bearer token' : 'no token',
    };
  }
  const region = options.region || hostRegion?.[1] || env.AWS_REGION || env.AWS_DEFAULT_REGION || FALLBACK_REGION;
  return {
    client: new SigV4ApiClient({ baseUrl, region, credentials: credentialChain() }),
    auth: `sigv4 (${region})`,
  };
}

/**
 * The standard AWS credential chain, resolved once per command (loaded only when a call is signed),
 * saying what is wrong when it finds nothing.
 */
function credentialChain(): () => Promise<AwsCredentialIdentity> {
  let found: Promise<AwsCredentialIdentity> | undefined;
  const resolve = async () => {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    try {
      return await fromNodeProviderChain()();
    } catch (error) {
      throw new CliError(`no AWS credentials to sign with (SigV4): ${(error as Error).message}`, undefined, {
        cause: error,
      });
    }
  };
  return () => (found ??= resolve());
}
