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
  /**
   * While RUNNING: from this instant on another worker may take the import over (its worker died). The
   * running worker keeps pushing it back with `renew`.
   */
  leaseExpiresAt: string;
  /**
   * The line through which an attempt confirmed every valid row stored (the line of the last row of a batch
   * written whole, with no row failed before it). Kept across attempts: a takeover counts the rows up to it as
   * imported without sending them to the store again, so that a retry of a file too long for one invocation
   * goes on from there instead of checking every row already written. Absent until an attempt records one.
   */
  writtenThrough?: number;
  /** Set when COMPLETED or FAILED. */
  report?: ImportReport;
}

/**
 * A request to run an import. Instants are `Date#toISOString()` strings (fixed width, UTC, milliseconds), so
 * stores may compare them as strings, as SQL and NoSQL conditions do.
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
 * run an import again. `claim`, `finish` and `renew` each make one conditional write, safe under concurrency.
 *
 * A claim is a short lease that the running worker renews as it goes, rather than one long enough for the
 * longest import: a worker that crashes (out of memory, killed) stops renewing, its claim expires within a
 * lease, and a retry of the same event can take the import over instead of finding it RUNNING for good.
 *
 * Every method throws `StoreUnavailableError` when the store itself fails; a refused claim, finish or renew is
 * a result, not an error.
 */
export interface ImportLedger {
  /**
   * Claims the import: creates it RUNNING (attempt 1); or takes over one that FAILED or whose lease
   * expired (attempt + 1, `startedAt` kept). A COMPLETED import, or one RUNNING under a live lease, is not
   * claimed. Of concurrent claims exactly one wins.
   */
  claim(claim: ImportClaim): Promise<ClaimResult>;
  /**
   * Records the outcome (`report.status` COMPLETED or FAILED) of attempt `attempt`, and `writtenThrough` when
   * given (see `ImportEntry`). Returns false, and changes nothing, when that attempt no longer holds the import
   * (another worker took it over).
   */
  finish(importId: string, attempt: number, report: ImportReport, writtenThrough?: number): Promise<boolean>;
  /**
   * Moves the lease of a RUNNING import held by attempt `attempt` to `leaseExpiresAt`, so that no one takes
   * it over while it is still running, and records `writtenThrough` when given (see `ImportEntry`). Returns
   * false, and changes nothing, when that attempt no longer holds the import (another worker took it over, or
   * it finished). A `writtenThrough` recorded is returned in every later entry, until another replaces it.
   */
  renew(importId: string, attempt: number, leaseExpiresAt: string, writtenThrough?: number): Promise<boolean>;
  get(importId: string): Promise<ImportEntry | undefined>;
}

export const IMPORT_LEDGER = Symbol.for("anycloud.ImportLedger");
