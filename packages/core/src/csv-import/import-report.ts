import type { ObjectRef } from "./ports/object-source.js";

/** Why one CSV record was not imported. `line` is where the record starts (the header is line 1). */
export interface RowError {
  line: number;
  reason: string;
}

export type ImportStatus = "RUNNING" | "COMPLETED" | "FAILED";

/** What an import did. Stored in the ledger, answered by `POST /todos/import` and printed by `todo import`. */
export interface ImportReport {
  importId: string;
  source: ObjectRef;
  status: ImportStatus;
  /** Data records read (the header excluded). */
  rowsRead: number;
  /** Rows written to the store. */
  imported: number;
  /** Rows refused: bad CSV, failed validation, over the size cap. */
  rejected: number;
  /**
   * Valid rows not known to be written: those the store refused or kept throttling after its retries, and, when
   * the import stopped, the rows of the call the store failed in (some of which it may have written) and those
   * read but not yet sent. A retry writes whichever are missing.
   */
  failed: number;
  /** The first errors (rejections and write failures), in line order; at most `maxErrors`. */
  errors: RowError[];
  /** True when more errors happened than `errors` holds. */
  errorsTruncated: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** A short note for empty or header-only files, or for a repeated import answered from the ledger. */
  note?: string;
  /**
   * Present when the file is no todo CSV: its header could not be used (no `task` column, a column named
   * twice, UTF-16 text), so no row was read; the first error, on line 1, says why.
   */
  headerRejected?: true;
}
