import { describe, expect, it } from "vitest";
import { ImportTally } from "./import-tally.js";

const fields = {
  importId: "i",
  source: { container: "c", key: "k" },
  status: "COMPLETED" as const,
  startedAt: new Date(0),
  finishedAt: new Date(1_500),
};

describe("ImportTally", () => {
  // A caller in the same process sees the objects themselves, not their JSON: no key stands for nothing.
  it("leaves totalBytes out of the progress when the object's size is not known", () => {
    const tally = new ImportTally(10);
    tally.accept();
    tally.written(1);
    tally.bytesArrived(7);

    expect(tally.progress(undefined)).toStrictEqual({ rowsRead: 1, imported: 1, rejected: 0, bytesRead: 7 });
    expect(tally.progress(9)).toStrictEqual({
      rowsRead: 1,
      imported: 1,
      rejected: 0,
      bytesRead: 7,
      totalBytes: 9,
    });
  });

  it("leaves note and headerRejected out of a report that has neither", () => {
    const report = new ImportTally(10).report({ ...fields, note: undefined });

    expect(report).toStrictEqual({
      ...fields,
      rowsRead: 0,
      imported: 0,
      rejected: 0,
      failed: 0,
      errors: [],
      errorsTruncated: false,
      startedAt: "1970-01-01T00:00:00.000Z",
      finishedAt: "1970-01-01T00:00:01.500Z",
      durationMs: 1_500,
    });
  });

  it("reports no negative duration when the wall clock was stepped back during the import", () => {
    // An NTP step or a resumed VM: the end read off the clock comes before the start.
    const report = new ImportTally(10).report({ ...fields, finishedAt: new Date(-3_000), note: undefined });

    expect(report).toMatchObject({ finishedAt: "1969-12-31T23:59:57.000Z", durationMs: 0 });
  });
});
