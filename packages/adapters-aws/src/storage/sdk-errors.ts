import type { Item } from "./attribute-values.js";

/** What the SDK's service exceptions carry; network errors carry only `name` and maybe `code`. */
interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(error: unknown): string | undefined {
  const name = (error as SdkErrorShape | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

/** A network error's code (`ECONNREFUSED`...), which the SDK passes on. */
function codeOf(error: unknown): unknown {
  return (error as SdkErrorShape | undefined)?.code;
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === "ConditionalCheckFailedException";
}

/** The item a refused conditional write met, when the store sent it (`ReturnValuesOnConditionCheckFailure`). */
export function itemSentWithRefusal(error: unknown): Item | undefined {
  return (error as { Item?: Item }).Item;
}

// Network errors of a request that never left: no connection was made to send it on (refused, or its host not
// found). Any other may have come after the store read the request.
const NEVER_SENT: ReadonlySet<unknown> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/** A command's middleware stack, as far as `watchAttempts` uses it. */
interface MiddlewareStack {
  add(
    middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
    options: { step: "deserialize"; name: string; priority: "high" },
  ): void;
}

/**
 * Watches each attempt the SDK makes of `command` and tells whether one that failed may have been applied. The
 * SDK resends a call whose answer was lost (a timeout, a reset) or that failed on the store's side (a 5xx), as well
 * as one the store refused unapplied (throttled: a 4xx) or that never reached it (a connection refused), and its
 * error says only how many attempts it made: a conditional write can meet its own write only after one of the
 * first two. An answer lost after its status line came in counts as lost too: the SDK gives the error of reading
 * its body the status it saw, and a 2xx there means the store applied the call.
 */
export function watchAttempts(command: { middlewareStack: object }): { mayHaveLanded: () => boolean } {
  let landed = false;
  // In the deserialize step, inside the SDK's retry loop: it runs once per attempt, and sees each attempt's
  // error as deserialized (a service exception with its status, or the network's error with none).
  (command.middlewareStack as MiddlewareStack).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const status = httpStatusOf(error);
        const mayHaveApplied =
          status === undefined
            ? !NEVER_SENT.has(codeOf(error))
            : status >= 500 || (status >= 200 && status < 300);
        if (mayHaveApplied) landed = true;
        throw error;
      }
    },
    { step: "deserialize", name: "anycloudWatchAttempts", priority: "high" },
  );
  return { mayHaveLanded: () => landed };
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
