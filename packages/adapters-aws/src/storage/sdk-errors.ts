import { AppError, StoreUnavailableError } from "@anycloud/core";

/** What the SDK's service exceptions carry; network errors carry only `name` and maybe `code`. */
interface SdkErrorShape {
  name?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

export function errorName(error: unknown): string | undefined {
  const name = (error as SdkErrorShape | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === "ConditionalCheckFailedException";
}

/**
 * Whether the SDK sent the call more than once before this error. It retries a 5xx or a lost connection on
 * its own, and the attempt whose answer was lost may have been applied: a conditional write then meets its
 * own write, and its condition fails.
 */
export function sentMoreThanOnce(error: unknown): boolean {
  return ((error as SdkErrorShape | undefined)?.$metadata?.attempts ?? 1) > 1;
}

const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

/**
 * Whether a BatchWriteItem or BatchGetItem call failed in a way worth retrying later: throttled, or the service
 * erred (5xx). The SDK has already retried these a few times before they reach us.
 */
export function isRetryableBatchError(error: unknown): boolean {
  const name = errorName(error);
  if (name !== undefined && THROTTLING.has(name)) return true;
  const status = httpStatusOf(error);
  return status !== undefined && status >= 500;
}

/**
 * Runs `work`, letting the domain's own errors through and turning anything else (network, credentials, a
 * missing table, an unexpected answer) into `StoreUnavailableError`, with the original error as `cause`.
 */
export async function guardStore<T>(store: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new StoreUnavailableError(`The ${store} is unavailable.`, { cause: error });
  }
}
