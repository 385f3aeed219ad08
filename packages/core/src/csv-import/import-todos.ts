import type { Clock } from "../shared/clock.js";
import { AppError, StoreUnavailableError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { TodoRepository } from "../todos/ports/todo-repository.js";
import { ImportInProgressError, ImportKeyReusedError, ImportLeaseLostError } from "./errors.js";
import { ImportAttempt } from "./import-attempt.js";
import {
  DEFAULT_IMPORT_SETTINGS,
  type ImportCommand,
  type ImportOptions,
  type ImportSettings,
} from "./import-command.js";
import { importIdOf } from "./import-identity.js";
import { ImportLease } from "./import-lease.js";
import type { ImportReport } from "./import-report.js";
import type { ClaimResult, ImportEntry, ImportLedger } from "./ports/import-ledger.js";
import {
  ObjectNotFoundError,
  type ObjectRef,
  type ObjectSource,
  type OpenedObject,
} from "./ports/object-source.js";

export const ALREADY_IMPORTED_NOTE = "Already imported: this is the report of the earlier run.";
export const OBJECT_GONE_NOTE =
  "The object is gone: it was deleted or overwritten after the event that named it. Nothing was imported.";
const STOPPED_NOTE = "The import stopped before the end of the file.";

/**
 * Imports the todos of a CSV object, once: an import's id derives from the object's version, each todo's id
 * from the import's id and the line its record starts on, and the ledger answers a repeated delivery with the
 * first run's report. A run that failed half-way can be run again: it writes the todos the first run did not
 * (same ids, same `createdAt`), and leaves those it did as they are now, edits included.
 *
 * Streams: reads no faster than the store writes, and holds one batch of todos at a time. Lets the event loop
 * run after every batch and every chunk read: with a store that answers synchronously (SQLite) and a body
 * already in memory, every await would be a settled promise, and a whole import one run of microtasks that
 * keeps a server from answering anyone else (or its SIGTERM) until it ends.
 *
 * Holds the import under a short lease (`leaseMs`), renewed as batches are written: a worker that crashes
 * loses its claim within a minute, so that a retry can take the import over. A worker that finds its lease
 * taken over stops reading, leaves the report to the new holder, and throws `ImportLeaseLostError`.
 *
 * Records with the lease, and with a FAILED outcome, the line through which every valid row is stored; a later
 * attempt counts the rows up to that line as imported without sending them to the store again, so that a
 * file too long for one invocation (a Lambda's 15 minutes) goes on where the attempt before stopped rather
 * than spend each retry checking the rows already written. It still reads them (the parser needs the lines).
 */
export class ImportTodos {
  private readonly settings: ImportSettings;

  constructor(
    private readonly todos: TodoRepository,
    private readonly ledger: ImportLedger,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly objects?: ObjectSource,
    settings: Partial<ImportSettings> = {},
  ) {
    this.settings = {
      maxRecordBytes: settings.maxRecordBytes ?? DEFAULT_IMPORT_SETTINGS.maxRecordBytes,
      maxErrors: settings.maxErrors ?? DEFAULT_IMPORT_SETTINGS.maxErrors,
      leaseMs: settings.leaseMs ?? DEFAULT_IMPORT_SETTINGS.leaseMs,
    };
  }

  async execute(command: ImportCommand, options: ImportOptions = {}): Promise<ImportReport> {
    options.signal?.throwIfAborted();
    const { ref, importId, opened } = await this.identify(command.source, options.body);
    const startedAt = this.clock.now();
    let claim: ClaimResult;
    try {
      await this.refuseReusedKey(importId, ref);
      claim = await this.ledger.claim({
        importId,
        source: ref,
        now: startedAt.toISOString(),
        leaseExpiresAt: new Date(startedAt.getTime() + this.settings.leaseMs).toISOString(),
      });
    } catch (error) {
      await close(opened);
      throw error;
    }
    if (!claim.claimed) {
      await close(opened);
      // Checked again here: another request with the same key may have claimed it since `refuseReusedKey`.
      if (isAnotherBody(claim.entry.source, ref)) throw new ImportKeyReusedError(importId);
      return answerFromLedger(claim.entry);
    }
    return this.run({ claimed: claim.entry, ref, opened, startedAt }, command, options);
  }

  /**
   * The object's ref as the import is named by, with its version: the ref's own, or, without one, the version
   * the store serves, which means opening the object first (the object is returned open then).
   */
  private async identify(
    source: ObjectRef,
    body: OpenedObject | undefined,
  ): Promise<{ ref: ObjectRef; importId: string; opened: OpenedObject | undefined }> {
    const opened = body ?? (source.version === undefined ? await this.open(source) : undefined);
    const version = source.version ?? opened?.version;
    const ref: ObjectRef = version === undefined ? { ...source } : { ...source, version };
    const importId = importIdOf(ref);
    if (version === undefined) {
      this.logger.warn("The object has no version: a repeated import will import its rows again.", {
        importId,
        container: ref.container,
        key: ref.key,
      });
    }
    return { ref, importId, opened };
  }

  /** Runs the attempt this worker claimed, and records its outcome: COMPLETED, or FAILED with why. */
  private async run(
    { claimed, ref, opened, startedAt }: ClaimedImport,
    command: ImportCommand,
    options: ImportOptions,
  ): Promise<ImportReport> {
    const { importId } = claimed;
    const lease = new ImportLease(this.ledger, this.clock, this.settings.leaseMs, claimed, startedAt);
    const attempt = new ImportAttempt(claimed, lease, this.todos, this.settings);
    const { tally } = attempt;
    const makeReport = (status: "COMPLETED" | "FAILED", note: string | undefined) =>
      tally.report({ importId, source: ref, status, startedAt, finishedAt: this.clock.now(), note });
    let note: string | undefined;
    let bodyFailed = false;
    let stopDestroying = () => {};
    try {
      const object = opened ?? (await this.open(ref, options.signal));
      stopDestroying = destroyedOnAbort(object, options.signal);
      const body = noticingFailure(object.body, () => {
        bodyFailed = true;
      });
      note = await attempt.importRows({ ...object, body }, command, options);
    } catch (error) {
      if (error instanceof ImportLeaseLostError) {
        // The import is another worker's now: its outcome is that worker's to record.
        this.logger.warn("Another worker took the import over: this attempt stopped.", {
          importId,
          attempt: claimed.attempt,
        });
        throw error;
      }
      // Stopped by the signal while it waited for the parser, the import catches the parser's bare AbortError:
      // the signal's reason says whose doing it was (the client's, a shutdown's, a time limit's).
      const aborted = options.signal?.aborted === true;
      const stop: unknown = aborted ? options.signal?.reason : error;
      // A stop asked for (Ctrl-C), or a body its sender broke off or made too long, is the caller's doing:
      // known to the caller, and no failure of this service to alert on.
      const byCaller = aborted || (bodyFailed && error instanceof AppError);
      await this.recordFailure(attempt, stop, byCaller, makeReport);
      throw stop;
    } finally {
      stopDestroying();
    }
    return this.recordOutcome(attempt, makeReport(tally.failed > 0 ? "FAILED" : "COMPLETED", note));
  }

  /** Logs why an attempt failed, as whose doing, and records it FAILED with a note that says so. */
  private async recordFailure(
    attempt: ImportAttempt,
    error: unknown,
    byCaller: boolean,
    makeReport: (status: "FAILED", note: string) => ImportReport,
  ): Promise<void> {
    const { entry } = attempt;
    const { importId } = entry;
    const gone = error instanceof ObjectNotFoundError;
    if (gone) {
      // Deleted or overwritten since its event: not a failure of this service, and a retry finds the same.
      this.logger.warn("The object is gone: nothing was imported.", { importId, attempt: entry.attempt });
    } else if (byCaller) {
      this.logger.warn("The CSV import was stopped by its caller.", {
        importId,
        attempt: entry.attempt,
        reason: error instanceof Error ? error.message : String(error),
      });
    } else {
      this.logger.error("The CSV import failed.", { importId, attempt: entry.attempt, error });
    }
    // A store's failure says which store (its message names no internals); anything else, that it stopped.
    const note = gone
      ? OBJECT_GONE_NOTE
      : error instanceof StoreUnavailableError
        ? `${STOPPED_NOTE} ${error.message} Run it again to finish it.`
        : STOPPED_NOTE;
    await this.finish(attempt, makeReport("FAILED", note)).catch((ledgerError: unknown) => {
      this.logger.error("The import's failure could not be recorded.", { importId, error: ledgerError });
    });
  }

  /** Records a run that went to the end (COMPLETED, or FAILED if rows could not be saved) and logs it. */
  private async recordOutcome(attempt: ImportAttempt, outcome: ImportReport): Promise<ImportReport> {
    const { importId } = attempt.entry;
    await this.finish(attempt, outcome);
    if (outcome.headerRejected) {
      // Recorded COMPLETED (reading it again finds the same), but whoever uploaded it should hear of it.
      this.logger.warn("The CSV file's header is not usable: no rows were read.", {
        importId,
        reason: outcome.errors[0]?.reason,
      });
    }
    this.logger.info("The CSV import finished.", {
      importId,
      status: outcome.status,
      rowsRead: outcome.rowsRead,
      imported: outcome.imported,
      rejected: outcome.rejected,
      failed: outcome.failed,
    });
    return outcome;
  }

  private async finish(attempt: ImportAttempt, report: ImportReport): Promise<void> {
    const { entry } = attempt;
    const { importId } = entry;
    // Only a FAILED import is taken over: its checkpoint is what the next attempt goes on from.
    const writtenThrough = report.status === "FAILED" ? attempt.writtenThrough : undefined;
    const recorded = await this.ledger.finish(importId, entry.attempt, report, writtenThrough);
    if (!recorded) {
      this.logger.warn("Another worker took the import over: this attempt's report was not recorded.", {
        importId: entry.importId,
        attempt: entry.attempt,
      });
    }
  }

  /**
   * A ref with a fingerprint that the ledger knows with another is a request's key used again: refused. Looked
   * up before the claim because a claim that takes over a FAILED import writes its own source over the
   * recorded one; a claim refused is checked again after it (see `execute`).
   */
  private async refuseReusedKey(importId: string, ref: ObjectRef): Promise<void> {
    if (ref.fingerprint === undefined) return;
    const earlier = await this.ledger.get(importId);
    if (earlier && isAnotherBody(earlier.source, ref)) throw new ImportKeyReusedError(importId);
  }

  private async open(ref: ObjectRef, signal?: AbortSignal): Promise<OpenedObject> {
    if (!this.objects) {
      throw new Error("ImportTodos was given neither the object's body nor an ObjectSource to open it with.");
    }
    return signal === undefined ? this.objects.open(ref) : this.objects.open(ref, { signal });
  }
}

/** An import this worker claimed: the ledger's entry for it, the object, and when this attempt started. */
interface ClaimedImport {
  claimed: ImportEntry;
  ref: ObjectRef;
  /** The object, if `identify` opened it already. */
  opened: OpenedObject | undefined;
  startedAt: Date;
}

function answerFromLedger(entry: ImportEntry): ImportReport {
  if (entry.status === "COMPLETED" && entry.report) return { ...entry.report, note: ALREADY_IMPORTED_NOTE };
  if (entry.status === "RUNNING") throw new ImportInProgressError(entry.importId, entry.leaseExpiresAt);
  throw new Error(`The ledger refused import ${entry.importId} in status ${entry.status}.`);
}

/**
 * Whether `ref` names, with the same identity, other content than the import recorded: both carry a
 * fingerprint, and they differ. An entry recorded before fingerprints were kept cannot tell, and is taken
 * for the same content.
 */
function isAnotherBody(recorded: ObjectRef, ref: ObjectRef): boolean {
  return (
    ref.fingerprint !== undefined &&
    recorded.fingerprint !== undefined &&
    recorded.fingerprint !== ref.fingerprint
  );
}

/** `body` as it is, calling `onFailure` when reading it throws. */
async function* noticingFailure(
  body: AsyncIterable<Uint8Array>,
  onFailure: () => void,
): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    onFailure();
    throw error;
  }
}

/**
 * Destroys a Node stream body (an object store's response) once `signal` is aborted, at once if it is already;
 * returns what stops listening. The import sees the signal between chunks only, and its parser's pipeline lets go
 * of the body only once the read it waits on settles: an S3 response that stalled held the stopped import until
 * its socket's idle timeout (60 s), past the Lambda time limit the stop was for, which then cut the function off
 * before the import was recorded FAILED. A body opened as the signal fired was never read, nor closed: its
 * connection stayed held in the warm function until that timeout. Other bodies (in memory, or a request's,
 * which its server ends) are left to the parser.
 */
function destroyedOnAbort(opened: OpenedObject, signal: AbortSignal | undefined): () => void {
  const stop = nodeStreamDestroy(opened.body);
  if (signal === undefined || stop === undefined) return () => {};
  if (signal.aborted) {
    stop();
    return () => {};
  }
  signal.addEventListener("abort", stop, { once: true });
  return () => signal.removeEventListener("abort", stop);
}

/**
 * Lets go of a body that will not be read. A Node stream (an object store's response, a file) is destroyed: its
 * async iterator is a generator, whose `return` before a first `next` ends it without running the clean-up that
 * destroys the stream, which left its socket or file open. Any other body's iterator is returned.
 */
async function close(opened: OpenedObject | undefined): Promise<void> {
  if (opened === undefined) return;
  try {
    const destroy = nodeStreamDestroy(opened.body);
    if (destroy) destroy();
    else await opened.body[Symbol.asyncIterator]().return?.();
  } catch {
    // Nothing more to do with it.
  }
}

/**
 * A Node stream body's `destroy` (an object store's response, a file), bound, with no error given: a stream nobody
 * reads would emit it with no listener, and crash the process. Undefined for any other body.
 */
function nodeStreamDestroy(body: AsyncIterable<Uint8Array>): (() => void) | undefined {
  const { destroy } = body as { destroy?: unknown };
  return typeof destroy === "function" ? () => destroy.call(body) : undefined;
}
