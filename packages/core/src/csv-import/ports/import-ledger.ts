import type { ImportReport, ImportStatus } from "../import-report.js";
import type { ObjectRef } from "./object-source.js";

/** One import's state, keyed by `importId` (derived from the source object's identity). */
export interface ImportEntry {
  importId: string;
  source: ObjectRef;
  status: ImportStatus;
  /** 1 for the first claim; each takeover of a FAILED or abandoned import increments it. */
  attempt: number;
  /** When the first attempt began. Kept across attempts: imported todos take it as `createdAt`. */
  startedAt: string;
  /** While RUNNING: from this instant on another worker may take the import over (its worker died). */
  leaseExpiresAt: string;
  /** Set when COMPLETED or FAILED. */
  report?: ImportReport;
}

/**
 * Instants are `Date#toISOString()` strings (fixed width, UTC, milliseconds), so stores may compare them as
 * strings, as SQL and NoSQL conditions do.
 */
export interface ImportClaim {
  importId: string;
  /** The object being imported; a takeover records the new claim's. */
  source: ObjectRef;
  now: string;
  /** After `now`. */
  leaseExpiresAt: string;
}

/** `claimed: true` means this caller runs attempt `entry.attempt`; otherwise `entry` says who does, or did. */
export type ClaimResult = { claimed: true; entry: ImportEntry } | { claimed: false; entry: ImportEntry };

/**
 * Remembers imports so that a redelivered storage event (every provider delivers at least once) does not
 * run an import again. Every method is a single conditional write in the store, safe under concurrency.
 */
export interface ImportLedger {
  /**
   * Claims the import: creates it RUNNING (attempt 1); or takes over one that FAILED or whose lease
   * expired (attempt + 1, `startedAt` kept). A COMPLETED import, or one RUNNING under a live lease, is not
   * claimed. Of concurrent claims exactly one wins.
   */
  claim(claim: ImportClaim): Promise<ClaimResult>;
  /**
   * Records the outcome (`report.status` COMPLETED or FAILED) of attempt `attempt`. Returns false, and
   * changes nothing, when that attempt no longer holds the import (another worker took it over).
   */
  finish(importId: string, attempt: number, report: ImportReport): Promise<boolean>;
  get(importId: string): Promise<ImportEntry | undefined>;
}
// Every method throws (StoreUnavailableError) when the store itself fails; a refused claim or finish is a
// result, not an error.

export const IMPORT_LEDGER = Symbol.for("anycloud.ImportLedger");
