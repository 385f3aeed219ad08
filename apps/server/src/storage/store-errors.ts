import { AppError, StoreUnavailableError } from "@anycloud/core";

/**
 * Runs `work`, letting the domain's own errors through and turning anything else the driver throws (a closed
 * database, a full disk, a lock held too long) into `StoreUnavailableError`, with the driver's error as
 * `cause`. `work` may be synchronous: what it throws becomes the returned promise's rejection.
 */
export async function guardStore<T>(store: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new StoreUnavailableError(`The ${store} is unavailable.`, { cause: error });
  }
}
