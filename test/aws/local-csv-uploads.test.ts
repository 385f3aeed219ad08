import { csvUploadsListener, LocalLambdas } from "@anycloud/aws/local";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import { describe, expect, it } from "vitest";

const BUCKET = "uploads";

/** s3rver's event for one object put: with its ETag and size, so that no HeadObject is needed. */
const putEvent = (key: string) =>
  ({
    Records: [
      {
        eventName: "ObjectCreated:Put",
        s3: { bucket: { name: BUCKET }, object: { key, eTag: "0123456789abcdef", size: 10 } },
      },
    ],
  }) as unknown as S3Event;

/** A csvImport that fails, counting its invocations; `release` ends the one under way. */
function failingImport() {
  const calls: number[] = [];
  let release = () => {};
  const lambdas = {
    invoke: () => {
      calls.push(Date.now());
      return new Promise((_, reject) => {
        release = () => reject(new Error("the import failed"));
      });
    },
  } as unknown as LocalLambdas;
  return { lambdas, calls, release: () => release() };
}

/** The log, and a wait for a line matching `pattern` (rejects after 5 s). */
function logLines() {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const log = (line: string) => {
    lines.push(line);
    for (const waiter of waiters) if (waiter.pattern.test(line)) waiter.resolve();
  };
  const line = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (lines.some((seen) => pattern.test(seen))) return resolve();
      waiters.push({ pattern, resolve });
      setTimeout(() => reject(new Error(`No log line ${pattern} in:\n${lines.join("\n")}`)), 5_000).unref();
    });
  return { lines, log, line };
}

/** The listener, on a csvImport that fails, with its invocations and its log. */
function listening(retryDelaysMs: number[]) {
  const { lambdas, calls, release } = failingImport();
  const { lines, log, line } = logLines();
  const uploads = csvUploadsListener({ lambdas, s3: {} as S3Client, bucket: BUCKET, retryDelaysMs, log });
  return { uploads, calls, release, lines, line };
}

describe("the local loop's S3 notification (csvUploadsListener)", () => {
  it("cancels a retry waiting when it is closed, instead of running it against stopped stand-ins", async () => {
    const { uploads, calls, release, lines, line } = listening([60_000]);

    uploads.onEvent(putEvent("todos.csv"));
    await expect.poll(() => calls.length).toBe(1);
    release();
    await line(/attempt 1 failed, retrying in 60000 ms/);
    uploads.close();

    await line(/the retry was cancelled by the stop/);
    expect(calls).toHaveLength(1);
    expect(lines.join("\n")).not.toMatch(/no retry left/);
  });

  it("does not retry an invocation that fails after it is closed, and takes no new event", async () => {
    const { uploads, calls, release, lines, line } = listening([0, 0]);

    uploads.onEvent(putEvent("todos.csv"));
    await expect.poll(() => calls.length).toBe(1);
    uploads.close();
    release();

    await line(/attempt 1 ended by the stop: the import failed/);
    uploads.onEvent(putEvent("later.csv"));
    // An event taken would be invoked after an await or two (its record is normalised first): give it time.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toHaveLength(1);
    expect(lines.join("\n")).not.toMatch(/retrying|later\.csv/);
  });
});

/** What csvImport's bundle throws when another invocation holds the import: core's ImportInProgressError. */
function heldBy(leaseExpiresAt: number): AggregateError {
  const held = Object.assign(new Error("Import i-1 is already running."), {
    code: "IMPORT_IN_PROGRESS",
    importId: "i-1",
    leaseExpiresAt: new Date(leaseExpiresAt).toISOString(),
  });
  return new AggregateError(
    [held],
    "1 of 1 imports of this S3 event failed or are held by another invocation",
  );
}

/** The listener over `lambdas`, retrying at once, and what it logs. */
function listeningWith(lambdas: LocalLambdas) {
  const { lines, log, line } = logLines();
  const uploads = csvUploadsListener({
    lambdas,
    s3: {} as S3Client,
    bucket: BUCKET,
    retryDelaysMs: [0, 0],
    log,
  });
  return { uploads, lines, line };
}

const completed = (note?: string) => ({
  imported: [{ status: "COMPLETED", rowsRead: 1, imported: 1, rejected: 0, failed: 0, durationMs: 1, note }],
});

describe("the local loop's S3 notification, for an import another invocation holds", () => {
  it("retries once the invocation that holds it here has ended, not after 1 and 2 s that would find it held", async () => {
    // The same upload's event twice at once: the first invocation runs the import, the second finds it held
    // (its lease a minute away) while the first runs, and gets the report once it has ended.
    let finishHolder = () => {};
    let holder: Promise<unknown> | undefined;
    let holderEnded = false;
    const calls: number[] = [];
    const lambdas = {
      invoke: () => {
        calls.push(Date.now());
        if (holder === undefined) {
          holder = new Promise((resolve) => {
            finishHolder = () => resolve(completed());
          });
          return holder;
        }
        return holderEnded
          ? Promise.resolve(completed("Already imported: this is the report of the earlier run."))
          : Promise.reject(heldBy(Date.now() + 60_000));
      },
      idle: () => (holder && !holderEnded ? holder.then(() => {}) : undefined),
    } as unknown as LocalLambdas;
    const { uploads, lines, line } = listeningWith(lambdas);

    uploads.onEvent(putEvent("todos.csv"));
    await expect.poll(() => calls.length).toBe(1);
    uploads.onEvent(putEvent("todos.csv"));
    await line(/attempt 1 found the import held by another invocation/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).toHaveLength(2);

    holderEnded = true;
    finishHolder();
    await line(/Already imported/);
    uploads.close();

    expect(calls).toHaveLength(3);
    expect(lines.filter((seen) => /COMPLETED, 1 imported/.test(seen))).toHaveLength(2);
    expect(lines.join("\n")).not.toMatch(/no retry left/);
  });

  it("retries once the lease has run out when no invocation here holds it (its holder lost its answer)", async () => {
    const leaseEnd = Date.now() + 400;
    const calls: number[] = [];
    const lambdas = {
      invoke: () => {
        calls.push(Date.now());
        return Date.now() < leaseEnd ? Promise.reject(heldBy(leaseEnd)) : Promise.resolve(completed());
      },
      idle: () => undefined,
    } as unknown as LocalLambdas;
    const { uploads, lines, line } = listeningWith(lambdas);

    uploads.onEvent(putEvent("todos.csv"));
    await line(/COMPLETED, 1 imported/);
    uploads.close();

    expect(calls).toHaveLength(2);
    expect(calls[1]).toBeGreaterThanOrEqual(leaseEnd);
    expect(lines.join("\n")).not.toMatch(/no retry left/);
  });

  it("gives up after Lambda's two retries while the import stays held, saying its holder goes on with it", async () => {
    const calls: number[] = [];
    const lambdas = {
      invoke: () => {
        calls.push(Date.now());
        // A holder elsewhere that renews its lease.
        return Promise.reject(heldBy(Date.now() + 100));
      },
      idle: () => undefined,
    } as unknown as LocalLambdas;
    const { uploads, lines, line } = listeningWith(lambdas);

    uploads.onEvent(putEvent("todos.csv"));
    await line(/no retry left/);
    uploads.close();

    expect(calls).toHaveLength(3);
    expect(lines.join("\n")).toContain(
      "csvImport s3://uploads/todos.csv: attempt 3 failed, no retry left (on AWS the event would go to the " +
        "ImportFailuresQueue; the invocation that holds the import goes on with it):",
    );
  });
});

describe("the local loop's S3 notification on LocalLambdas, for an import held by no invocation here", () => {
  it("waits for the lease, not for the attempt that just failed, which LocalLambdas still counts as under way", async () => {
    const leaseEnd = Date.now() + 400;
    const calls: number[] = [];
    const lambdas = new LocalLambdas(
      async () => ({
        handler: async () => {
          calls.push(Date.now());
          if (Date.now() < leaseEnd) throw heldBy(leaseEnd);
          return completed();
        },
      }),
      () => {},
    );
    const { uploads, lines, line } = listeningWith(lambdas);

    uploads.onEvent(putEvent("todos.csv"));
    await line(/COMPLETED, 1 imported|no retry left/);
    uploads.close();

    expect(calls).toHaveLength(2);
    expect(calls[1]).toBeGreaterThanOrEqual(leaseEnd);
    expect(lines.join("\n")).not.toMatch(/invocations running now have ended/);
  });
});

describe("the local loop's S3 notification, filtered as serverless.yml's", () => {
  it("invokes csvImport for a .csv object created in its bucket, and for nothing else", async () => {
    const invoked: unknown[] = [];
    const { lines, log, line } = logLines();
    const lambdas = {
      invoke: async (_: string, event: unknown) => {
        invoked.push(event);
        return completed();
      },
      idle: () => undefined,
    } as unknown as LocalLambdas;
    const uploads = csvUploadsListener({
      lambdas,
      s3: {} as S3Client,
      bucket: BUCKET,
      retryDelaysMs: [],
      log,
    });
    const record = (eventName: string, bucket: string, key: string) =>
      ({
        Records: [{ eventName, s3: { bucket: { name: bucket }, object: { key, eTag: "e", size: 1 } } }],
      }) as unknown as S3Event;

    uploads.onEvent(record("ObjectRemoved:Delete", BUCKET, "gone.csv"));
    uploads.onEvent(record("ObjectCreated:Put", "elsewhere", "other.csv"));
    uploads.onEvent(record("ObjectCreated:Put", BUCKET, "notes.txt"));
    uploads.onEvent(record("ObjectCreated:Copy", BUCKET, "copied.csv"));
    await line(/copied\.csv: COMPLETED/);
    uploads.close();

    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toMatchObject({
      Records: [{ eventName: "ObjectCreated:Copy", s3: { object: { key: "copied.csv" } } }],
    });
    expect(lines).toHaveLength(1);
  });

  it("says so when it cannot build the event (the HeadObject for a missing ETag failed)", async () => {
    const { log, line } = logLines();
    const lambdas = { invoke: async () => completed(), idle: () => undefined } as unknown as LocalLambdas;
    const s3 = { send: async () => Promise.reject(new Error("s3rver is gone")) } as unknown as S3Client;
    const uploads = csvUploadsListener({ lambdas, s3, bucket: BUCKET, retryDelaysMs: [], log });

    uploads.onEvent({
      Records: [
        { eventName: "ObjectCreated:Copy", s3: { bucket: { name: BUCKET }, object: { key: "a b.csv" } } },
      ],
    } as unknown as S3Event);

    await line(/^csvImport s3:\/\/uploads\/a b\.csv: the event could not be built: s3rver is gone$/);
    uploads.close();
  });
});
