import type {
  ClaimResult,
  ImportClaim,
  ImportEntry,
  ImportLedger,
  ImportReport,
  ImportStatus,
  ObjectRef,
} from "@anycloud/core";
import type { Client, Row } from "@libsql/client";
import { guardStore } from "./store-errors.js";

const STORE = "import ledger";
const COLUMNS = "import_id, source, status, attempt, started_at, lease_expires_at, report";

// Creates the import, or takes over one that FAILED or whose lease ran out, in one statement: SQLite
// serialises writers, so of concurrent claims exactly one matches the WHERE and gets a row back.
// `excluded.started_at` is this claim's `now`; the stored `started_at` is kept.
const CLAIM = `INSERT INTO imports (${COLUMNS}) VALUES (?, ?, 'RUNNING', 1, ?, ?, NULL)
  ON CONFLICT (import_id) DO UPDATE SET source = excluded.source, status = 'RUNNING',
    attempt = imports.attempt + 1, lease_expires_at = excluded.lease_expires_at, report = NULL
  WHERE imports.status = 'FAILED'
    OR (imports.status = 'RUNNING' AND imports.lease_expires_at <= excluded.started_at)
  RETURNING ${COLUMNS}`;
const FINISH = `UPDATE imports SET status = ?, report = ?
  WHERE import_id = ? AND status = 'RUNNING' AND attempt = ?`;
const RENEW = `UPDATE imports SET lease_expires_at = ?
  WHERE import_id = ? AND status = 'RUNNING' AND attempt = ?`;
const GET = `SELECT ${COLUMNS} FROM imports WHERE import_id = ?`;

/**
 * The import ledger in the SQLite database opened by `openSqliteDatabase`. Every method is one conditional
 * statement, so it holds across processes sharing the database file as well as within one.
 *
 * @example
 * const ledger = new SqliteImportLedger(await openSqliteDatabase({ url: "file:/data/todos.db" }));
 */
export class SqliteImportLedger implements ImportLedger {
  constructor(private readonly client: Client) {}

  claim({ importId, source, now, leaseExpiresAt }: ImportClaim): Promise<ClaimResult> {
    return guardStore(STORE, async () => {
      const claimed = await this.client.execute({
        sql: CLAIM,
        args: [importId, JSON.stringify(source), now, leaseExpiresAt],
      });
      const row = claimed.rows[0];
      if (row) return { claimed: true, entry: entryOf(row) };
      // Not ours: the row exists (imports are never deleted), so say who holds it or how it ended.
      const entry = await this.read(importId);
      if (!entry) throw new Error(`Import ${importId} was neither claimed nor found.`);
      return { claimed: false, entry };
    });
  }

  finish(importId: string, attempt: number, report: ImportReport): Promise<boolean> {
    return guardStore(STORE, async () => {
      const result = await this.client.execute({
        sql: FINISH,
        args: [report.status, JSON.stringify(report), importId, attempt],
      });
      return result.rowsAffected === 1;
    });
  }

  renew(importId: string, attempt: number, leaseExpiresAt: string): Promise<boolean> {
    return guardStore(STORE, async () => {
      const result = await this.client.execute({ sql: RENEW, args: [leaseExpiresAt, importId, attempt] });
      return result.rowsAffected === 1;
    });
  }

  get(importId: string): Promise<ImportEntry | undefined> {
    return guardStore(STORE, () => this.read(importId));
  }

  private async read(importId: string): Promise<ImportEntry | undefined> {
    const row = (await this.client.execute({ sql: GET, args: [importId] })).rows[0];
    return row && entryOf(row);
  }
}

function entryOf(row: Row): ImportEntry {
  const entry: ImportEntry = {
    importId: row.import_id as string,
    source: JSON.parse(row.source as string) as ObjectRef,
    status: row.status as ImportStatus,
    attempt: row.attempt as number,
    startedAt: row.started_at as string,
    leaseExpiresAt: row.lease_expires_at as string,
  };
  if (row.report !== null) entry.report = JSON.parse(row.report as string) as ImportReport;
  return entry;
}
