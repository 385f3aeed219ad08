import { AppError, StoreUnavailableError } from "@anycloud/core";

/**
 * Runs `work`, letting the domain's own errors through and turning anything else the driver throws (a closed
 * client, a full disk, a lock held too long) into `StoreUnavailableError`, with the driver's error as `cause`.
 */
export async function guardStore<T>(store: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new StoreUnavailableError(`The ${store} is unavailable.`, { cause: error });
  }
}
