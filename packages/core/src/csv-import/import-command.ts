import type { QuoteChar } from "./detect-quote.js";
import type { ObjectRef, OpenedObject } from "./ports/object-source.js";

/** Where an import stands; given to `onProgress` after each batch written (and every 1000 rows read). */
export interface ImportProgress {
  /** Data records read so far (the header excluded). */
  rowsRead: number;
  imported: number;
  rejected: number;
  bytesRead: number;
  /** The object's size, when the store told it. */
  totalBytes?: number;
}

export interface ImportSettings {
  /** A record longer than this is rejected (its bytes are skipped, never buffered). 64 KiB by default. */
  maxRecordBytes: number;
  /** How many row errors a report lists. 100 by default. */
  maxErrors: number;
  /**
   * How long a claim holds before another worker may take the import over. 60 seconds by default. The
   * running import renews it (to now + `leaseMs`) as it reads and writes, once a third of it has passed (see
   * ImportLease), so a long import keeps its claim; a crashed worker's claim expires within a minute, so that
   * a retry of the same event (Lambda retries after about 1 and 2 minutes) can take the import over.
   */
  leaseMs: number;
}

export const DEFAULT_IMPORT_SETTINGS: Readonly<ImportSettings> = {
  maxRecordBytes: 64 * 1024,
  maxErrors: 100,
  leaseMs: 60 * 1000,
};

/** Import the todos of one CSV object. Built by each provider's trigger from its storage event. */
export interface ImportCommand {
  source: ObjectRef;
  /** The CSV quote character; `auto` (the default) looks at the first lines. */
  quote?: QuoteChar | "auto";
}

export interface ImportOptions {
  /** The object, already opened; otherwise it is opened through the `ObjectSource`. */
  body?: OpenedObject;
  onProgress?: (progress: ImportProgress) => void;
  /** Aborting stops reading; the import is recorded FAILED and the abort reason is thrown. */
  signal?: AbortSignal;
}
