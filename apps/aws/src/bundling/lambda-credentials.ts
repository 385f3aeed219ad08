import { fromContainerMetadata, fromEnv } from "@aws-sdk/credential-providers";

type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromContainerMetadata>[0];

/**
 * What the Lambda bundles use in place of `@aws-sdk/credential-provider-node` (scripts/bundle.mjs swaps the
 * module): the two sources a Lambda function's credentials can come from, and nothing else.
 *
 * Lambda puts the execution role's credentials in the environment (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`); where it does not (SnapStart), it serves them from the
 * container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`). The SDK's default chain also tries
 * SSO, profiles, the login and process providers and web identity, whose code and nested STS/SSO clients are
 * about a quarter of each bundle (about 120 KiB of the 473 workshopTodos weighs with them), parsed on every
 * cold start and never run on Lambda.
 */
export function defaultProvider(init: ProviderInit = {}) {
  const fromEnvironment = fromEnv(init);
  const fromContainer = fromContainerMetadata(init);
  return () => (process.env.AWS_ACCESS_KEY_ID ? fromEnvironment() : fromContainer());
}
