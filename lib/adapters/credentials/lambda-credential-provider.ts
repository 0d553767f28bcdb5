// Bundled in place of `@aws-sdk/credential-provider-node` in Lockstep's Lambda functions (see
// LAMBDA_ESBUILD_OPTIONS in cdk/constructs/bundling.ts); nothing imports it directly.
import { fromEnv, fromHttp } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

/** What the SDK clients pass their default provider (`credentialDefaultProvider(init)`): their configuration, its logger among it. */
type ProviderInit = NonNullable<Parameters<typeof fromEnv>[0]> & NonNullable<Parameters<typeof fromHttp>[0]>;

/** Refreshed this long before they expire, as the SDK's own default chain does. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The SDK's default credential chain reduced to what Lambda provides: the execution role's
 * credentials in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, or, where
 * Lambda serves them from an endpoint instead (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and its
 * authorization token, as in SnapStart environments), from that endpoint. Both in the default
 * chain's own order (environment first); no profile, SSO, `credential_process`, web identity or
 * instance metadata, none of which a Lambda function has. It replaces the default chain only in
 * the Lambda bundles: the full chain drags in every provider and the SDK's nested STS/SSO clients
 * (about 90 KiB of the API function's bundle, parsed at every cold start), and local mode, the
 * command and the tests keep it.
 *
 * Like the default chain, it memoizes: the clients call their default provider before every
 * request and cache nothing themselves. Credentials with an expiration are fetched again within
 * five minutes of it; concurrent callers share one fetch.
 */
export const defaultProvider = (init: ProviderInit = {}): AwsCredentialIdentityProvider => {
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (credentials: AwsCredentialIdentity | undefined): credentials is AwsCredentialIdentity =>
    credentials !== undefined &&
    (credentials.expiration === undefined ||
      credentials.expiration.getTime() - new Date().getTime() > REFRESH_BEFORE_EXPIRY_MS);
  return async (properties) => {
    if (fresh(current) && !properties?.forceRefresh) return current;
    pending ??= source(init)(properties)
      .then((credentials) => (current = credentials))
      .finally(() => (pending = undefined));
    return pending;
  };
};

function source(init: ProviderInit): AwsCredentialIdentityProvider {
  const env = process.env;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return fromEnv(init);
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return fromHttp(init);
  return () =>
    Promise.reject(
      new Error(
        'no AWS credentials: this Lambda bundle reads them from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI), as Lambda provides them',
      ),
    );
}
