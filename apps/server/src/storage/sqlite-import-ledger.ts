import {
  type ClaimResult,
  guardStore,
  type ImportClaim,
  type ImportEntry,
  type ImportLedger,
  type ImportReport,
  type ImportStatus,
  type ObjectRef,
} from "@anycloud/core";
import type { SqliteDatabase } from "./sqlite-database.js";
import { SqliteStatements } from "./sqlite-statements.js";

const STORE = "import ledger";
const COLUMNS = "import_id, source, status, attempt, started_at, lease_expires_at, report, written_through";

// Creates the import, or takes over one that FAILED or whose lease ran out, in one statement: SQLite
// serialises writers, so of concurrent claims exactly one matches the WHERE and gets a row back.
// `excluded.started_at` is this claim's `now`; the stored `started_at` is kept, and so is `written_through`.
const CLAIM = `INSERT INTO imports (${COLUMNS}) VALUES (?, ?, 'RUNNING', 1, ?, ?, NULL, NULL)
  ON CONFLICT (import_id) DO UPDATE SET source = excluded.source, status = 'RUNNING',
    attempt = imports.attempt + 1, lease_expires_at = excluded.lease_expires_at, report = NULL
  WHERE imports.status = 'FAILED'
    OR (imports.status = 'RUNNING' AND imports.lease_expires_at <= excluded.started_at)
  RETURNING ${COLUMNS}`;
// A checkpoint not given (NULL) leaves the one recorded.
const FINISH = `UPDATE imports SET status = ?, report = ?, written_through = coalesce(?, written_through)
  WHERE import_id = ? AND status = 'RUNNING' AND attempt = ?`;
const RENEW = `UPDATE imports SET lease_expires_at = ?, written_through = coalesce(?, written_through)
  WHERE import_id = ? AND status = 'RUNNING' AND attempt = ?`;
const GET = `SELECT ${COLUMNS} FROM imports WHERE import_id = ?`;

/**
 * The import ledger in the SQLite database opened by `openSqliteDatabase`. Every method is one conditional
 * statement (a claim and its read in one transaction), so it holds across processes sharing the database
 * file as well as within one.
 *
 * @example
 * const ledger = new SqliteImportLedger(await openSqliteDatabase({ url: "file:/data/todos.db" }));
 */
export class SqliteImportLedger implements ImportLedger {
  private readonly sql: SqliteStatements;

  constructor(database: SqliteDatabase) {
    this.sql = new SqliteStatements(database);
  }

  claim({ importId, source, now, leaseExpiresAt }: ImportClaim): Promise<ClaimResult> {
    return guardStore(STORE, () => {
      // One write transaction for the claim and, when it is refused, the read of the row that refused it: a
      // process finishing that import between the two would otherwise show a state the claim never saw
      // (FAILED, which it would have taken over).
      return this.sql.write(() => {
        // `all`, which runs the write to completion; libsql's `get` would skip a write with RETURNING.
        const row = this.sql.all(CLAIM, [importId, JSON.stringify(source), now, leaseExpiresAt])[0];
        if (row) return { claimed: true, entry: entryOf(row) };
        // Not ours: the row exists (imports are never deleted), so say who holds it or how it ended.
        const entry = this.read(importId);
        if (!entry) throw new Error(`Import ${importId} was neither claimed nor found.`);
        return { claimed: false, entry };
      });
    });
  }

  finish(importId: string, attempt: number, report: ImportReport, writtenThrough?: number): Promise<boolean> {
    return guardStore(STORE, () => {
      const args = [report.status, JSON.stringify(report), writtenThrough ?? null, importId, attempt];
      return this.sql.write(() => this.sql.run(FINISH, args) === 1);
    });
  }

  renew(
    importId: string,
    attempt: number,
    leaseExpiresAt: string,
    writtenThrough?: number,
  ): Promise<boolean> {
    const args = [leaseExpiresAt, writtenThrough ?? null, importId, attempt];
    return guardStore(STORE, () => this.sql.write(() => this.sql.run(RENEW, args) === 1));
  }

  get(importId: string): Promise<ImportEntry | undefined> {
    return guardStore(STORE, () => this.read(importId));
  }

  private read(importId: string): ImportEntry | undefined {
    const row = this.sql.get(GET, [importId]);
    return row && entryOf(row);
  }
}

type ImportRow = [string, string, ImportStatus, number, string, string, string | null, number | null];

/** A row selected as `COLUMNS`, as the driver returns it: an array of column values. */
function entryOf(row: unknown[]): ImportEntry {
  const [importId, source, status, attempt, startedAt, leaseExpiresAt, report, writtenThrough] =
    row as ImportRow;
  const entry: ImportEntry = {
    importId,
    source: JSON.parse(source) as ObjectRef,
    status,
    attempt,
    startedAt,
    leaseExpiresAt,
  };
  if (writtenThrough !== null) entry.writtenThrough = writtenThrough;
  if (report !== null) entry.report = JSON.parse(report) as ImportReport;
  return entry;
}
