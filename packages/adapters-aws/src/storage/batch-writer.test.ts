import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { sleep } from "./batch-writer.js";

// The timer behind the repository's backoff: its tests inject a sleep that records the delays instead.
describe("a retry's sleep", () => {
  // Orders timers, and measures nothing: a sleep of 200 ms wakes after a timer of 20 ms set just after it.
  it("waits the backoff it is given", async () => {
    const woken: string[] = [];
    const sleeping = sleep(200, undefined).then(() => woken.push("sleep of 200 ms"));

    await delay(20);
    woken.push("timer of 20 ms");
    await sleeping;

    expect(woken).toEqual(["timer of 20 ms", "sleep of 200 ms"]);
  });

  it("ends early, without throwing, once its signal is aborted", async () => {
    const caller = new AbortController();
    const woken: string[] = [];
    const sleeping = sleep(600_000, caller.signal).then(() => woken.push("sleep of 10 min"));

    caller.abort(new Error("time limit"));
    await delay(20);
    woken.push("timer of 20 ms");

    expect(woken).toEqual(["sleep of 10 min", "timer of 20 ms"]);
    await sleeping;
  });
});
