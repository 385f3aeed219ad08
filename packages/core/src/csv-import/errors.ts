import { AppError } from "../shared/errors.js";
import type { ImportReport } from "./import-report.js";

/**
 * Another worker is running this import under a live lease (HTTP 409). A storage event delivered twice at
 * once ends here; the running attempt writes the todos, and a later delivery is answered from the ledger.
 */
export class ImportInProgressError extends AppError {
  override readonly name: string = "ImportInProgressError";
  readonly code = "IMPORT_IN_PROGRESS";

  constructor(
    readonly importId: string,
    readonly leaseExpiresAt: string,
    options?: { cause?: unknown },
  ) {
    super(`Import ${importId} is already running (its lease expires at ${leaseExpiresAt}).`, options);
  }
}

/**
 * The running import's lease was taken over by another worker (HTTP 409): this attempt went too long without
 * renewing it (a store write stalled past the lease), so it stopped reading and left the import, and its
 * report, to the worker that holds it now. A later delivery is answered from the ledger.
 */
export class ImportLeaseLostError extends AppError {
  override readonly name: string = "ImportLeaseLostError";
  readonly code = "IMPORT_LEASE_LOST";

  constructor(
    readonly importId: string,
    readonly attempt: number,
    options?: { cause?: unknown },
  ) {
    super(`Import ${importId} was taken over by another worker: attempt ${attempt} stopped.`, options);
  }
}

/**
 * An import ran to its end but some valid rows could not be written (HTTP 503): the report says which. The
 * import is recorded FAILED, so running it again retries it.
 */
export class ImportFailedError extends AppError {
  override readonly name: string = "ImportFailedError";
  readonly code = "IMPORT_FAILED";

  constructor(
    readonly report: ImportReport,
    options?: { cause?: unknown },
  ) {
    super(`Import ${report.importId} failed: ${report.failed} rows could not be saved.`, options);
  }
}

/**
 * The uploaded file is no todo CSV (HTTP 422): its header could not be used, so no row was read. The import
 * is recorded COMPLETED, since reading the same file again finds the same; the report says why.
 */
export class CsvHeaderRejectedError extends AppError {
  override readonly name: string = "CsvHeaderRejectedError";
  readonly code = "CSV_HEADER_REJECTED";

  constructor(readonly report: ImportReport) {
    super(`The file's header is not usable: ${report.errors[0]?.reason ?? "no rows were read"}.`);
  }
}

/**
 * The import's identity names a request (an `Idempotency-Key`) that came before with other content (HTTP
 * 422): importing it would not be a repeat, and answering with the earlier report would drop it silently.
 */
export class ImportKeyReusedError extends AppError {
  override readonly name: string = "ImportKeyReusedError";
  readonly code = "IDEMPOTENCY_KEY_REUSED";

  constructor(readonly importId: string) {
    super(
      "This Idempotency-Key was used before for another body or quote option: send this one with a new key.",
    );
  }
}
