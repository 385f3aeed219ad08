import type { StartedLocalStackContainer } from "@testcontainers/localstack";

/** Pinned: since 2026-03 `latest` requires an auth token. `LOCALSTACK_IMAGE` overrides it. */
const DEFAULT_IMAGE = "localstack/localstack:4.4";

let shared: { started: Promise<StartedLocalStackContainer>; users: number } | undefined;

/**
 * Whether a container runtime (Docker, Podman...) answers. testcontainers is imported only here, lazily:
 * without a runtime it rejects in about a millisecond.
 */
export async function hasContainerRuntime(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * The LocalStack container of this test file, started on first use and shared by the DynamoDB and S3
 * stand-ins; it stops when its last user releases it.
 */
export async function acquireLocalstack(): Promise<{ endpoint: string; release(): Promise<void> }> {
  if (shared === undefined) {
    const { LocalstackContainer } = await import("@testcontainers/localstack");
    const image = process.env.LOCALSTACK_IMAGE ?? DEFAULT_IMAGE;
    const token = process.env.LOCALSTACK_AUTH_TOKEN;
    const container = new LocalstackContainer(image).withEnvironment({
      SERVICES: "dynamodb,s3",
      ...(token && { LOCALSTACK_AUTH_TOKEN: token }),
    });
    shared = { started: container.start(), users: 0 };
  }
  const entry = shared;
  entry.users += 1;
  let container: StartedLocalStackContainer;
  try {
    container = await entry.started;
  } catch (error) {
    entry.users -= 1;
    if (shared === entry) shared = undefined;
    throw error;
  }
  let released = false;
  return {
    endpoint: container.getConnectionUri(),
    release: async () => {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      if (shared === entry) shared = undefined;
      await container.stop();
    },
  };
}
