import type { ImportProgress } from "./import-command.js";
import type { ImportReport, ImportStatus, RowError } from "./import-report.js";
import type { ObjectRef } from "./ports/object-source.js";
import { RowErrorList } from "./row-error-list.js";

/**
 * The counts and errors of one import attempt, and the report they make. Every count changes through a method
 * here, so that the report adds up: rowsRead = imported + rejected + failed, once the rows held in a batch are
 * written or counted failed.
 */
export class ImportTally {
  private counts = { rowsRead: 0, imported: 0, rejected: 0, failed: 0, bytesRead: 0 };
  private headerRejected = false;
  private readonly errors: RowErrorList;

  constructor(maxErrors: number) {
    this.errors = new RowErrorList(maxErrors);
  }

  get rowsRead(): number {
    return this.counts.rowsRead;
  }

  get failed(): number {
    return this.counts.failed;
  }

  /** Bytes of the object read so far. */
  bytesArrived(count: number): void {
    this.counts.bytesRead += count;
  }

  /** A data record read and valid, on its way to the store. */
  accept(): void {
    this.counts.rowsRead += 1;
  }

  /** A data record refused: bad CSV, over the size cap, or failing validation. */
  reject(error: RowError): void {
    this.counts.rowsRead += 1;
    this.counts.rejected += 1;
    this.errors.add(error);
  }

  /** `count` accepted rows the store wrote. */
  written(count: number): void {
    this.counts.imported += count;
  }

  /** A valid row the store could not write. */
  fail(error: RowError): void {
    this.counts.failed += 1;
    this.errors.add(error);
  }

  /** `count` accepted rows not (or not surely) written, with one error for them all (a batch, from its line). */
  unsaved(count: number, error: RowError): void {
    this.counts.failed += count;
    this.errors.add(error);
  }

  /** The header could not be used: the file is no todo CSV, and no row is read. */
  rejectHeader(error: RowError): void {
    this.headerRejected = true;
    this.errors.add(error);
  }

  progress(totalBytes: number | undefined): ImportProgress {
    const { rowsRead, imported, rejected, bytesRead } = this.counts;
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
    // Both ends are read off the wall clock: one stepped back during the import (an NTP step, a VM resumed)
    // would make the difference negative, which no import took.
    const durationMs = Math.max(0, finishedAt.getTime() - startedAt.getTime());
    const report: ImportReport = {
      importId,
      source,
      status,
      rowsRead: this.counts.rowsRead,
      imported: this.counts.imported,
      rejected: this.counts.rejected,
      failed: this.counts.failed,
      errors: this.errors.toArray(),
      errorsTruncated: this.errors.truncated,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs,
    };
    if (note !== undefined) report.note = note;
    if (this.headerRejected) report.headerRejected = true;
    return report;
  }
}
