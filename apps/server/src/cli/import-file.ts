import { fstatSync } from "node:fs";
import path from "node:path";
import {
  ImportKeyReusedError,
  type ImportReport,
  type ObjectRef,
  type OpenedObject,
  StoreUnavailableError,
} from "@anycloud/core";
import type { ServerConfig } from "../config.js";
import type { ServerApp } from "../container.js";
import {
  FileChangedError,
  LOCAL_FILES,
  LocalFileObjectSource,
  NotAFileError,
} from "../files/local-file-object-source.js";
import { parseS3Url } from "../files/s3-url.js";
import { type Command, QUOTE_OPTIONS, UsageError } from "./command-line.js";
import type { LedgerWatch } from "./ledger-watch.js";
import { writeOut } from "./list-todos.js";
import { ProgressBar } from "./progress-bar.js";
import { STANDARD_INPUT, spoolInput } from "./standard-input.js";
import { quoteFingerprint, quoteOfFingerprint } from "./trigger-quotes.js";

/** `todo import`: imports the file or S3 object, prints its report and answers the exit code. */
export async function importFile(
  app: ServerApp,
  { location, quote, json }: Extract<Command, { name: "import" }>,
  config: ServerConfig,
  ledger: LedgerWatch,
): Promise<number> {
  const { source, opened, release } = await openSource(location, config);
  const bar = new ProgressBar(process.stderr);
  // Ctrl-C stops the import cleanly: core records it FAILED, so that running it again takes it over at
  // once instead of finding it RUNNING until its lease expires. A second Ctrl-C kills at once (`once`).
  const interrupt = new AbortController();
  const stopListening = abortOnStopSignal(interrupt, (signal) => new InterruptedError(signal));
  let report: ImportReport;
  try {
    report = await app.importTodos.execute(
      // The --quote asked for is part of the import: the same file read with other quotes is other rows, and a
      // run that goes on from an earlier one's checkpoint must read the file as that run did.
      { source: { ...source, fingerprint: quoteFingerprint(quote) }, quote },
      {
        body: opened,
        signal: interrupt.signal,
        onProgress: (progress) => bar.update({ ...progress, totalBytes: progress.totalBytes ?? opened.size }),
      },
    );
  } catch (error) {
    throw importFailureOf(error, location, ledger);
  } finally {
    stopListening();
    bar.done();
    await release?.();
  }
  // Written as the list is: a report that cannot be written (a full disk) is exit 1, not a silent success.
  await writeOut(
    process.stdout,
    `${json ? JSON.stringify(report, null, 2) : describeReport(report)}\n`,
    "report",
  );
  if (report.status !== "COMPLETED") return 1;
  // A file that is no todo CSV is the caller's to fix, as a file that is not there: 2, though it was recorded.
  return report.headerRejected ? 2 : 0;
}

/**
 * The error the command reports for an import that threw: what the user can do about it, which depends on
 * whether the store recorded the import's end (run the command again now) or not (run it again once the
 * lease runs out).
 */
function importFailureOf(error: unknown, location: string, ledger: LedgerWatch): unknown {
  if (error instanceof ImportKeyReusedError) {
    const earlier = quoteOfFingerprint(ledger.recordedSource()?.fingerprint);
    return new QuoteChangedError(
      location === "-" ? "standard input (the same bytes)" : location,
      QUOTE_OPTIONS.find(([, quote]) => quote === earlier)?.[0],
    );
  }
  // Stopped (Ctrl-C, or a store that failed), and the store did not answer when core recorded it FAILED: it
  // is held until its lease runs out, and running the command again meanwhile is refused as "already running".
  const heldUntil = ledger.unrecordedUntil();
  if (heldUntil !== undefined) {
    if (error instanceof InterruptedError) return new InterruptedError(error.signal, heldUntil);
    if (error instanceof StoreUnavailableError) {
      return new ImportUnrecordedError(error, heldUntil, ledger.lastEndAsked() === "COMPLETED");
    }
    return error;
  }
  // The store failed during the import (a lock another program held past the busy timeout, a full disk),
  // and then answered as core recorded it FAILED: running the command again finishes it.
  if (error instanceof StoreUnavailableError && ledger.endRecorded()) return new ImportStoppedError(error);
  return error;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM during an import; `heldUntil` when the store did not answer as core recorded it
 * FAILED: the ledger may hold it RUNNING until then, and refuse to run it again ("already running").
 */
export class InterruptedError extends Error {
  constructor(
    readonly signal: NodeJS.Signals,
    heldUntil?: string,
  ) {
    super(
      heldUntil === undefined
        ? "interrupted: the import is recorded FAILED; run the same command again to finish it."
        : `interrupted, but the store did not answer: the import ${heldUntilAdvice(heldUntil)}`,
    );
  }
}

/** What to do about an import whose end the store did not record: it is held until its lease runs out. */
function heldUntilAdvice(heldUntil: string): string {
  return `may still count as running, until its lease runs out at ${heldUntil} at the latest. Run the same command again then to finish it.`;
}

/** The store failed during the import, which is recorded FAILED: running the command again finishes it. */
export class ImportStoppedError extends Error {
  constructor(error: StoreUnavailableError) {
    super(
      `${storeFailureOf(error)}: the import stopped, and is recorded FAILED; run the same command again to finish it.`,
      { cause: error },
    );
  }
}

/** A store's failure in words, with its cause: "The todo store is unavailable (database is locked)". */
function storeFailureOf(error: StoreUnavailableError): string {
  const cause = (error.cause as Error | undefined)?.message;
  return `${error.message.replace(/\.$/, "")}${cause ? ` (${cause})` : ""}`;
}

/**
 * The store did not answer when core recorded the import's end: the ledger may hold it RUNNING until `heldUntil`,
 * as after a Ctrl-C the store did not record. `wholeFile`: the end was COMPLETED, every row written (the store
 * failed at that record only), else FAILED, after a failure of the store during the import.
 */
export class ImportUnrecordedError extends Error {
  constructor(error: StoreUnavailableError, heldUntil: string, wholeFile = false) {
    super(
      wholeFile
        ? `${storeFailureOf(error)}, after the whole file was imported: the import could not be recorded COMPLETED, and ${heldUntilAdvice(heldUntil)}`
        : `${storeFailureOf(error)}, and the import could not be recorded FAILED: it ${heldUntilAdvice(heldUntil)}`,
      { cause: error },
    );
  }
}

/** The file was imported (or an import of it started) with another `--quote`, which this run's would not repeat. */
export class QuoteChangedError extends Error {
  /** `earlier`: the --quote that run was given, when the ledger tells it. */
  constructor(location: string, earlier?: string) {
    super(
      earlier === undefined
        ? `${location} was imported before with another --quote, and its todos are as that run read them: run the same command with that --quote to finish or repeat it.`
        : `${location} was imported before with --quote ${earlier}, and its todos are as that run read them: run the same command with --quote ${earlier} to finish or repeat it.`,
    );
  }
}

/**
 * A local file, standard input (`-`), or an S3 object (the AWS SDK is loaded only then); the ref carries the
 * version read. `release`, when given, is to be called once the import is over.
 */
async function openSource(
  location: string,
  config: ServerConfig,
): Promise<{ source: ObjectRef; opened: OpenedObject; release?: () => Promise<void> }> {
  if (location === "-") return openStandardInput();
  const s3 = parseS3Url(location);
  if (!s3 && location.startsWith("s3://"))
    throw new UsageError(`${location}: an S3 object is s3://bucket/key.`);
  if (s3) {
    const { S3ObjectSource, s3ClientOf } = await import("@anycloud/adapters-aws/storage");
    const client = s3ClientOf({ endpoint: config.s3Endpoint });
    const opened = await new S3ObjectSource(client).open(s3);
    return { source: versionRead(s3, opened), opened };
  }
  const file = await LocalFileObjectSource.refOf(path.resolve(callersDirectory(), location));
  // Opened at once: an unreadable file fails here, before any import is recorded. The version is the one read.
  const opened = await new LocalFileObjectSource().open(file).catch((error: unknown) => {
    // Changed while it was hashed: no row was read yet, and the file's own message says rows stay.
    throw error instanceof FileChangedError ? new FileChangedBeforeImportError(file.key) : error;
  });
  return { source: versionRead(file, opened), opened };
}

/** The ref pinned to the version the source read, when it tells one. */
function versionRead(ref: ObjectRef, opened: OpenedObject): ObjectRef {
  return opened.version ? { ...ref, version: opened.version } : ref;
}

/**
 * Standard input, copied to a file first (see `spoolInput`): the same bytes piped again are the same import, as
 * a file's are, answered from the ledger when it finished, or taken over at its checkpoint when it stopped.
 */
async function openStandardInput(): Promise<{
  source: ObjectRef;
  opened: OpenedObject;
  release: () => Promise<void>;
}> {
  if (process.stdin.isTTY) process.stderr.write("todo: reading CSV from the terminal; end it with Ctrl-D.\n");
  // Node gives a directory as standard input (`< folder`) as an empty stream: it would import as an empty file.
  if (fstatSync(0).isDirectory()) throw new NotAFileError("standard input is a directory, not a file.");
  const stop = new AbortController();
  const stopListening = abortOnStopSignal(stop, (signal) => new InterruptedBeforeImportError(signal));
  try {
    const spooled = await spoolInput(process.stdin, stop.signal);
    // Until the import's own handler is installed, this one stays: hashing the copy takes a while for a large
    // input, and node's default would end the process with the copy left in TMPDIR.
    try {
      const opened = await new LocalFileObjectSource().open({ container: LOCAL_FILES, key: spooled.path });
      if (stop.signal.aborted) {
        await opened.body[Symbol.asyncIterator]().return?.();
        throw stop.signal.reason;
      }
      return {
        source: { container: STANDARD_INPUT, key: "-", version: opened.version! },
        opened,
        release: spooled.remove,
      };
    } catch (error) {
      await spooled.remove();
      throw error;
    }
  } finally {
    stopListening();
  }
}

/**
 * Aborts `controller` with `reasonOf(signal)` on SIGINT or SIGTERM, where node would end the process. The first
 * signal stops the listening, so that a second one, of either kind (Ctrl-C, then `kill`), does end it. The
 * function returned stops listening.
 */
function abortOnStopSignal(
  controller: AbortController,
  reasonOf: (signal: NodeJS.Signals) => Error,
): () => void {
  const stopListening = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopListening();
    controller.abort(reasonOf(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return stopListening;
}

/** Ctrl-C or SIGTERM while standard input was read, before the import started: nothing was imported. */
export class InterruptedBeforeImportError extends InterruptedError {
  constructor(signal: NodeJS.Signals) {
    super(signal);
    this.message = "interrupted before the import started: nothing was imported.";
  }
}

/** The file changed while its version was read, before any row was: nothing was imported. */
export class FileChangedBeforeImportError extends FileChangedError {
  constructor(filePath: string) {
    super(filePath);
    this.message = `${filePath} changed while it was read, before its import started: nothing was imported. Import it once it is complete.`;
  }
}

/**
 * Where the user typed the command. `pnpm todo` runs in the workspace root and names the caller's directory in
 * INIT_CWD; it is trusted only when this process is that script (INIT_CWD is inherited by every process a
 * script starts, a test run's included).
 */
function callersDirectory(): string {
  const { INIT_CWD, npm_lifecycle_event } = process.env;
  return npm_lifecycle_event === "todo" && INIT_CWD ? INIT_CWD : process.cwd();
}

function describeReport(report: ImportReport): string {
  const count = (value: number) => value.toLocaleString("en-US");
  // Recorded COMPLETED (reading the file again finds the same), but nothing was imported: the first line says
  // so, rather than a COMPLETED that a reader scanning for it would count a success.
  const lines = report.headerRejected
    ? ["NOT IMPORTED: the file is not a todo CSV.", `import ${report.importId}`]
    : [
        `${report.status}: ${count(report.imported)} imported, ${count(report.rejected)} rejected, ${count(report.failed)} failed of ${count(report.rowsRead)} rows in ${(report.durationMs / 1000).toFixed(2)} s`,
        `import ${report.importId}`,
      ];
  if (report.note) lines.push(report.note);
  for (const error of report.errors) lines.push(`  line ${error.line}: ${error.reason}`);
  if (report.errorsTruncated) lines.push("  (more errors not shown)");
  return lines.join("\n");
}
