import type { ImportReport, ImportStatus, ObjectRef } from "@anycloud/core";

/** The ledger tests' source object, with a name that needs quoting in a URL. */
export const SOURCE: ObjectRef = { container: "uploads", key: "todos/2030 january.csv", version: "v1" };

/** An ISO instant `minutes` after a fixed origin. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2030, 0, 1) + minutes * 60_000).toISOString();
}

/** A report of `SOURCE`'s import, with errors and a note in text a store must keep as it is. */
export function aReport(importId: string, status: ImportStatus): ImportReport {
  return {
    importId,
    source: SOURCE,
    status,
    rowsRead: 4,
    imported: 2,
    rejected: 1,
    failed: 1,
    errors: [
      { line: 3, reason: "dueDate: not a calendar date" },
      { line: 5, reason: "The store could not write this todo — «€»" },
    ],
    errorsTruncated: false,
    startedAt: at(0),
    finishedAt: at(2),
    durationMs: 120_000,
    note: "résumé 📄",
  };
}
