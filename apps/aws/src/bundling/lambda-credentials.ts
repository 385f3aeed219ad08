import { fromContainerMetadata, fromEnv } from "@aws-sdk/credential-providers";

type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromContainerMetadata>[0];
type Credentials = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/** Credentials this close to their expiry are fetched again, as the SDK's default chain does. */
const REFRESH_BEFORE_EXPIRY_MS = 300_000;

/**
 * What the Lambda bundles use in place of `@aws-sdk/credential-provider-node` (scripts/bundle.mjs swaps the
 * module): the two sources a Lambda function's credentials can come from, and nothing else.
 *
 * Lambda puts the execution role's credentials in the environment (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and on Node.js always has. Where it does not, it serves them
 * from the container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), as under SnapStart, which AWS
 * documents for its Java, Python and .NET runtimes only: kept, small, for a Node runtime that comes to do so.
 * The SDK's default chain also tries SSO, profiles, the login and process providers and web identity, whose code
 * and nested STS/SSO clients are about a quarter of each bundle (about 120 KiB of the 473 workshopTodos weighs
 * with them), parsed on every cold start and never run on Lambda.
 *
 * The credentials are kept until 5 minutes before they expire: a client does not cache what its default
 * provider gives (the SDK's own chain caches them itself), and without this each call to DynamoDB or S3 fetched
 * them from the container endpoint three times. A fetch that fails is not kept: the next call tries again.
 */
export function defaultProvider(init: ProviderInit = {}): () => Promise<Credentials> {
  const fromEnvironment = fromEnv(init);
  const fromContainer = fromContainerMetadata(init);
  let held: Credentials | undefined;
  let fetching: Promise<Credentials> | undefined;
  return async () => {
    if (held && !expiresWithin(held, REFRESH_BEFORE_EXPIRY_MS)) return held;
    // Calls made meanwhile (an import's batches in flight) wait for the same fetch.
    fetching ??= (process.env.AWS_ACCESS_KEY_ID ? fromEnvironment() : fromContainer())
      .then((fresh) => {
        held = fresh;
        return fresh;
      })
      .finally(() => {
        fetching = undefined;
      });
    try {
      return await fetching;
    } catch (error) {
      // An early refresh that failed: the credentials held are still good, and the next call tries again.
      if (held && !expiresWithin(held, 0)) return held;
      throw error;
    }
  };
}

function expiresWithin(credentials: Credentials, ms: number): boolean {
  return credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() <= ms;
}
