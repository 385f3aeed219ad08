import { AppError, StoreUnavailableError } from "./errors.js";

/**
 * For store implementations: runs `work`, letting the domain's own errors through and turning anything else
 * the driver or SDK throws (network, credentials, a missing table, a closed database, a full disk, a lock held
 * too long) into `StoreUnavailableError`, with the original error as `cause`. `work` may be synchronous: what
 * it throws becomes the returned promise's rejection.
 */
export async function guardStore<T>(store: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new StoreUnavailableError(`The ${store} is unavailable.`, { cause: error });
  }
}
