import type { ImportProgress } from "./import-command.js";
import type { ImportReport, ImportStatus, RowError } from "./import-report.js";
import type { ObjectRef } from "./ports/object-source.js";
import { RowErrorList } from "./row-error-list.js";

/** The counts and errors of one import attempt, and the report they make. */
export class ImportTally {
  rowsRead = 0;
  imported = 0;
  rejected = 0;
  failed = 0;
  bytesRead = 0;
  private headerRejected = false;
  private readonly errors: RowErrorList;

  constructor(maxErrors: number) {
    this.errors = new RowErrorList(maxErrors);
  }

  /** A data record refused: bad CSV, over the size cap, or failing validation. */
  reject(error: RowError): void {
    this.rowsRead += 1;
    this.rejected += 1;
    this.errors.add(error);
  }

  /** A valid row the store could not write. */
  fail(error: RowError): void {
    this.failed += 1;
    this.errors.add(error);
  }

  /** An error about a run of rows (a batch the store failed to write), not about one row. */
  addRunError(error: RowError): void {
    this.errors.add(error);
  }

  /** The header could not be used: the file is no todo CSV, and no row is read. */
  rejectHeader(error: RowError): void {
    this.headerRejected = true;
    this.errors.add(error);
  }

  progress(totalBytes: number | undefined): ImportProgress {
    const { rowsRead, imported, rejected, bytesRead } = this;
    return totalBytes === undefined
      ? { rowsRead, imported, rejected, bytesRead }
      : { rowsRead, imported, rejected, bytesRead, totalBytes };
  }

  report(fields: {
    importId: string;
    source: ObjectRef;
    status: ImportStatus;
    startedAt: Date;
    finishedAt: Date;
    note: string | undefined;
  }): ImportReport {
    const { importId, source, status, startedAt, finishedAt, note } = fields;
    const report: ImportReport = {
      importId,
      source,
      status,
      rowsRead: this.rowsRead,
      imported: this.imported,
      rejected: this.rejected,
      failed: this.failed,
      errors: this.errors.toArray(),
      errorsTruncated: this.errors.truncated,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
    if (note !== undefined) report.note = note;
    if (this.headerRejected) report.headerRejected = true;
    return report;
  }
}
