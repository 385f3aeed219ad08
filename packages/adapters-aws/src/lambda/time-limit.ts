import { TimeLimitReachedError } from "@anycloud/core";

/**
 * How long before a function's timeout its work is stopped: time for an import stopped between two batches (a
 * batch under way is let finish) to be recorded FAILED and answered, where Lambda would cut it off mid-write and
 * leave it RUNNING until its lease ran out.
 */
export const TIME_LIMIT_MARGIN_MS = 3_000;

/** The longest delay `setTimeout` takes as given. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TimeLimit {
  /**
   * Aborted with `TimeLimitReachedError` `TIME_LIMIT_MARGIN_MS` before the invocation's end, or half-way through
   * one that has less than twice the margin left.
   */
  signal: AbortSignal;
  /** Stops the timer, once the invocation's work is done. */
  clear(): void;
}

/**
 * The time limit of an invocation, from Lambda's `context.getRemainingTimeInMillis`; undefined without a
 * Lambda context (or with one that gives no number, or weeks). A function whose timeout is not past twice the
 * margin (Lambda's default is 3 s) keeps half of its time for the work: the full margin would stop every import
 * at once, each retry included, where half lets a small one finish and a longer one go on from its checkpoint.
 */
export function timeLimitOf(context: unknown): TimeLimit | undefined {
  const remaining = (context as { getRemainingTimeInMillis?: unknown } | undefined)?.getRemainingTimeInMillis;
  if (typeof remaining !== "function") return undefined;
  const leftMs: unknown = remaining.call(context);
  // A number only, not anything Number() takes (a numeric string neither): `Number(null)` and `Number("")`
  // are 0, a limit that would stop every import at once. Past what a timer takes (about 24.8 days), node
  // fires it at once; Lambda gives 15 minutes at most.
  if (
    typeof leftMs !== "number" ||
    !Number.isFinite(leftMs) ||
    leftMs - TIME_LIMIT_MARGIN_MS > MAX_TIMER_MS
  ) {
    return undefined;
  }
  const stopInMs = Math.max(0, leftMs - TIME_LIMIT_MARGIN_MS, Math.floor(leftMs / 2));
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimeLimitReachedError(Math.max(0, leftMs - stopInMs))),
    stopInMs,
  );
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
