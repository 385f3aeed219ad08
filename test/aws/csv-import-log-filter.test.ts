import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createS3ImportHandler } from "@anycloud/adapters-aws/triggers";
import { createJsonLogger, type ImportReport, StoreUnavailableError } from "@anycloud/core";
import { describe, expect, it } from "vitest";

// apps/aws/README.md tells, for an event in the failures queue, where the rest of its story is: csvImport's log,
// searched with `aws logs tail --filter-pattern`. That pattern must find the error line csvImport writes for
// each way an import fails for good: ended FAILED (rows the table would not take), or stopped by an error.

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../apps/aws/README.md");

/** The `--filter-pattern` of the README's `aws logs tail` on csvImport's log group. */
async function readmeFilterPattern(): Promise<string> {
  const readme = await readFile(README, "utf8");
  const pattern = /aws logs tail \/aws\/lambda\/\S+-csvImport .*--filter-pattern '([^']*)'/.exec(readme)?.[1];
  if (pattern === undefined)
    throw new Error("README has no `aws logs tail` of csvImport with a filter pattern.");
  return pattern;
}

/**
 * Whether CloudWatch Logs' filter pattern `pattern` matches `message`, for the patterns the README uses: quoted
 * phrases, each matched case-sensitively as written ("Filter patterns are case sensitive", AWS's filter pattern
 * syntax), all of them, or any when each is prefixed with `?`. Anything else is refused, not guessed at.
 */
function filterMatches(pattern: string, message: string): boolean {
  const terms = pattern.match(/\??"[^"]*"|\S+/g) ?? [];
  const parsed = terms.map((term) => {
    const quoted = /^(\??)"([^"]*)"$/.exec(term);
    if (quoted === null) throw new Error(`Filter term ${term} is not a quoted phrase.`);
    return { optional: quoted[1] === "?", phrase: quoted[2]! };
  });
  const optional = parsed.filter((term) => term.optional);
  if (optional.length > 0 && optional.length < parsed.length)
    throw new Error(`Filter pattern ${pattern} mixes ? terms and plain ones.`);
  return optional.length > 0
    ? parsed.some((term) => message.includes(term.phrase))
    : parsed.every((term) => message.includes(term.phrase));
}

const event = {
  Records: [
    {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      eventName: "ObjectCreated:Put",
      s3: {
        bucket: { name: "uploads", arn: "arn:aws:s3:::uploads" },
        object: { key: "todos.csv", size: 42, eTag: "0123456789abcdef0123456789abcdef", versionId: "v1" },
      },
    },
  ],
};

const failedReport: ImportReport = {
  importId: "3f0b3a9e-0000-5000-8000-000000000001",
  source: { container: "uploads", key: "todos.csv", version: "v1" },
  status: "FAILED",
  rowsRead: 3,
  imported: 1,
  rejected: 0,
  failed: 2,
  errors: [],
  errorsTruncated: false,
  startedAt: "2026-11-28T10:00:00.000Z",
  finishedAt: "2026-11-28T10:00:21.000Z",
  durationMs: 21_000,
};

/** The error lines csvImport's handler writes while `execute` runs as given, and the error it throws. */
async function errorLinesOf(execute: () => Promise<ImportReport>): Promise<string[]> {
  const lines: string[] = [];
  const handler = createS3ImportHandler(
    { execute },
    createJsonLogger("info", (line) => lines.push(line)),
  );

  await expect(handler(event)).rejects.toThrow(AggregateError);

  return lines.filter((line) => (JSON.parse(line) as { level: string }).level === "error");
}

describe("the README's search of csvImport's log for imports that failed for good", () => {
  it.each([
    ["ended FAILED, rows unsaved", () => Promise.resolve(failedReport)],
    [
      "stopped by an error",
      () => Promise.reject(new StoreUnavailableError("The todo store is unavailable.")),
    ],
  ])("finds the error line of an import that %s", async (_, execute) => {
    const pattern = await readmeFilterPattern();

    const errorLines = await errorLinesOf(execute);

    expect(errorLines.length).toBeGreaterThan(0);
    for (const line of errorLines) expect(filterMatches(pattern, line), line).toBe(true);
  });
});
