import { asyncInvocations, type LocalLambdas } from "@anycloud/aws/local";
import { describe, expect, it } from "vitest";

// The local loop's asynchronous invocations, on a stand-in for LocalLambdas: what they log, and when they retry.

type Lambdas = Pick<LocalLambdas, "invoke" | "idle">;

/** Invocations over `invoke`, retrying at once up to `retries` times, and their log. */
function invocationsOf(
  invoke: Lambdas["invoke"],
  options: { retries?: number; idle?: Lambdas["idle"] } = {},
) {
  const logged: string[] = [];
  const invocations = asyncInvocations({
    lambdas: { invoke, idle: options.idle ?? (() => undefined) },
    retryDelaysMs: Array.from({ length: options.retries ?? 0 }, () => 0),
    log: (line) => logged.push(line),
  });
  return { invocations, logged };
}

const s3Event = (key: unknown, bucket: unknown = "uploads") => ({
  Records: [{ s3: { bucket: { name: bucket }, object: { key } } }],
});

/** What csvImport's bundle throws when another invocation holds an import (core's ImportInProgressError). */
const held = (leaseExpiresAt: unknown, code = "IMPORT_IN_PROGRESS") =>
  Object.assign(new Error("Import i-1 is already running."), { code, leaseExpiresAt });

describe("asyncInvocations' log", () => {
  it("prints each of csvImport's reports: counts, note, the first five errors, and whether there are more", async () => {
    const errors = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ line: i + 2, reason: `bad ${i}` }));
    const report = { rowsRead: 9, imported: 1, rejected: 7, failed: 1, durationMs: 12 };
    const { invocations, logged } = invocationsOf(async () => ({
      imported: [
        { ...report, status: "COMPLETED", note: "A note.", errors: errors(6) },
        { ...report, status: "FAILED", errors: errors(5) },
        { ...report, status: "COMPLETED", errors: errors(1), errorsTruncated: true },
        { ...report, status: "COMPLETED" },
      ],
    }));

    await invocations.invoke("csvImport", s3Event("my+todos.csv"));

    const head = "csvImport s3://uploads/my todos.csv";
    const counts = "1 imported, 7 rejected, 1 failed of 9 rows in 12 ms";
    const lines = (count: number) => errors(count).map(({ line, reason }) => `  line ${line}: ${reason}`);
    expect(logged).toEqual([
      [`${head}: COMPLETED, ${counts}`, "  A note.", ...lines(5), "  ... more errors in the report"].join(
        "\n",
      ),
      [`${head}: FAILED, ${counts}`, ...lines(5)].join("\n"),
      [`${head}: COMPLETED, ${counts}`, ...lines(1), "  ... more errors in the report"].join("\n"),
      `${head}: COMPLETED, ${counts}`,
    ]);
  });

  it("prints no report for another function, nor for a csvImport that returns none", async () => {
    const { invocations, logged } = invocationsOf(async (name) =>
      name === "csvImport" ? undefined : { imported: [{ status: "COMPLETED" }] },
    );

    await invocations.invoke("hello", s3Event("a.csv"));
    await invocations.invoke("csvImport", s3Event("a.csv"));

    expect(logged).toEqual([]);
  });

  it.each([
    ["no event", null, "hello"],
    ["no record", { Records: [] }, "hello"],
    ["a record without s3", { Records: [{}] }, "hello"],
    ["no bucket nor object", { Records: [{ s3: {} }] }, "hello"],
    ["no key", s3Event(undefined), "hello"],
    ["no bucket name", s3Event("a.csv", 7), "hello"],
    ["a key that is not URL-encoding", s3Event("100%.csv"), "hello s3://uploads/100%.csv"],
  ])(
    "names the invocation after its function alone for %s, else after its object",
    async (_, event, label) => {
      const { invocations, logged } = invocationsOf(async () => {
        throw new Error("failed");
      });

      await expect(invocations.invoke("hello", event)).resolves.toBeUndefined();

      expect(logged[0]).toBe(
        `${label}: attempt 1 failed, no retry left (on AWS the event would be dropped):`,
      );
    },
  );

  it("says what failed last, every error of an AggregateError, and what AWS would do with the event", async () => {
    const { invocations, logged } = invocationsOf(async () => {
      throw new AggregateError([new Error("one"), "two"], "2 imports failed");
    });

    await invocations.invoke("csvImport", s3Event("a.csv"));

    expect(logged).toEqual([
      "csvImport s3://uploads/a.csv: attempt 1 failed, no retry left (on AWS the event would go to the ImportFailuresQueue):",
      "  2 imports failed; one; two",
    ]);
  });

  it("invokes nothing once closed", async () => {
    const invoked: string[] = [];
    const { invocations, logged } = invocationsOf(async (name) => invoked.push(name));

    invocations.close();
    await invocations.invoke("hello", {});

    expect(invoked).toEqual([]);
    expect(logged).toEqual(["hello: not invoked, the loop is stopping."]);
  });
});

describe("asyncInvocations, for an import another invocation holds", () => {
  it("reads the latest lease of those held, ignoring what is not a lease, and says when Lambda would retry", async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    let attempts = 0;
    const { invocations, logged } = invocationsOf(
      async () => {
        attempts += 1;
        if (attempts > 2) return undefined;
        throw new AggregateError([
          held(iso(now - 20_000)),
          held(iso(now - 10_000)),
          held("soon"),
          held(now + 60_000),
          held(new Date(now + 60_000)),
          held(iso(now + 60_000), "SOMETHING_ELSE"),
          new Error("not held"),
        ]);
      },
      { retries: 2 },
    );

    await invocations.invoke("csvImport", s3Event("a.csv"));

    const heldLine = (attempt: number, minutes: number) =>
      `csvImport s3://uploads/a.csv: attempt ${attempt} found the import held by another invocation (its lease ` +
      `runs to ${iso(now - 10_000)}): retrying in 0 ms (Lambda retries after about ${minutes} min).`;
    expect(logged).toEqual([heldLine(1, 1), heldLine(2, 2)]);
  });

  it("says it also waits for the holder when an invocation of the function runs here", async () => {
    let attempts = 0;
    const { invocations, logged } = invocationsOf(
      async () => {
        attempts += 1;
        if (attempts === 1) throw held(new Date(Date.now() - 1_000).toISOString());
      },
      { retries: 1, idle: () => Promise.resolve() },
    );

    await invocations.invoke("csvImport", s3Event("a.csv"));

    expect(logged[0]).toMatch(
      /: retrying once the csvImport invocations running now have ended, or in 0 ms \(Lambda retries after about 1 min\)\.$/,
    );
    expect(attempts).toBe(2);
  });

  it("cancels a retry waiting for a lease when closed", async () => {
    const { invocations, logged } = invocationsOf(
      async () => {
        throw held(new Date(Date.now() + 60_000).toISOString());
      },
      { retries: 1 },
    );

    const invoked = invocations.invoke("csvImport", s3Event("a.csv"));
    await expect.poll(() => logged.length).toBe(1);
    invocations.close();
    await invoked;

    expect(logged[1]).toBe("csvImport s3://uploads/a.csv: the retry was cancelled by the stop.");
  });
});
