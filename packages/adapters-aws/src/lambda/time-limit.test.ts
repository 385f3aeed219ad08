import { TimeLimitReachedError } from "@anycloud/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TIME_LIMIT_MARGIN_MS, timeLimitOf } from "./time-limit.js";

/** The longest delay `setTimeout` takes as given (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A Lambda context whose `getRemainingTimeInMillis` answers `left`, whatever it is. */
const contextGiving = (left: unknown) => ({ getRemainingTimeInMillis: () => left });

describe("timeLimitOf", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("stops the work TIME_LIMIT_MARGIN_MS before the invocation's end, with TimeLimitReachedError", () => {
    const limit = timeLimitOf(contextGiving(TIME_LIMIT_MARGIN_MS + 10_000));

    vi.advanceTimersByTime(9_999);
    expect(limit?.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(limit?.signal.reason).toBeInstanceOf(TimeLimitReachedError);
  });

  it("stops it half-way through an invocation with less than twice the margin left (Lambda's default 3 s)", () => {
    const limit = timeLimitOf(contextGiving(3_000));

    vi.advanceTimersByTime(1_499);
    expect(limit?.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(limit?.signal.reason).toBeInstanceOf(TimeLimitReachedError);
  });

  it("stops it at once when no time is left", () => {
    const limit = timeLimitOf(contextGiving(0));

    vi.advanceTimersByTime(0);

    expect(limit?.signal.aborted).toBe(true);
  });

  it("never stops it once cleared", () => {
    const limit = timeLimitOf(contextGiving(TIME_LIMIT_MARGIN_MS + 1_000));

    limit?.clear();
    vi.advanceTimersByTime(10_000);

    expect(limit?.signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("takes the longest limit a timer holds", () => {
    expect(timeLimitOf(contextGiving(MAX_TIMER_MS + TIME_LIMIT_MARGIN_MS))).toBeDefined();
  });

  it.each([
    ["no context", undefined],
    ["a context without getRemainingTimeInMillis", { awsRequestId: "req-1" }],
    ["NaN", contextGiving(Number.NaN)],
    ["Infinity", contextGiving(Number.POSITIVE_INFINITY)],
    // Each of these is a number to Number(), 0 for the first two: a limit already reached.
    ["null", contextGiving(null)],
    ["an empty string", contextGiving("")],
    ["a numeric string", contextGiving("60000")],
    // Past what a timer takes, node would fire it at once.
    ["one millisecond more than a timer holds", contextGiving(MAX_TIMER_MS + 1 + TIME_LIMIT_MARGIN_MS)],
    ["four weeks", contextGiving(4 * 7 * 24 * 60 * 60 * 1_000)],
  ])("gives no limit for %s", (_, context) => {
    expect(timeLimitOf(context)).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
