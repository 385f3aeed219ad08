import { csvUploadsListener, type LocalLambdas } from "@anycloud/aws/local";
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
