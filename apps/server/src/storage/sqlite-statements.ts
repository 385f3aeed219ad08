import { setTimeout as delay } from "node:timers/promises";
import Database from "libsql";
import type { SqliteDatabase } from "./sqlite-database.js";

/** A value SQLite binds as is. Booleans are not among them: the stores convert them to 0 or 1 first. */
export type SqlValue = string | number | bigint | null;

/**
 * The longest pause between two attempts at a write lock another process holds: a `todo import` holds it a few
 * milliseconds per batch, and SQLite's own wait, up to 100 ms between attempts, would miss most of its gaps.
 */
const MAX_LOCK_RETRY_MS = 8;

/**
 * The statements one store runs against a database: each prepared the first time it runs and reused after,
 * bound positionally, with every argument checked before binding. Read statements return rows as arrays of
 * column values, in the order the statement selects them. Writes go through `write`.
 *
 * Refuses to run once the database is closed: libsql's prepared statements hold their own reference to the
 * connection and would otherwise keep reading and writing a database its owner has closed.
 */
export class SqliteStatements {
  private readonly prepared = new Map<string, Database.Statement>();
  /** The connection's busy timeout, restored after each attempt at the write lock. */
  private readonly busyTimeoutMs: number;

  constructor(private readonly database: SqliteDatabase) {
    const row = database.prepare("PRAGMA busy_timeout").raw().get() as unknown[] | undefined;
    this.busyTimeoutMs = Number(row?.[0] ?? 0);
  }

  /** Runs a statement that returns no rows; the number of rows it inserted, updated or deleted. */
  run(sql: string, args: readonly SqlValue[]): number {
    return this.statement(sql, args).run(args).changes;
  }

  /** The first row of a query, or undefined. Not for `RETURNING`: libsql's `get` skips the write. */
  get(sql: string, args: readonly SqlValue[]): unknown[] | undefined {
    return this.statement(sql, args, true).get(args) as unknown[] | undefined;
  }

  /** Every row of a query, or of a write with `RETURNING`. */
  all(sql: string, args: readonly SqlValue[]): unknown[][] {
    return this.statement(sql, args, true).all(args) as unknown[][];
  }

  /**
   * Runs `work` in one write transaction, committed when it returns and rolled back when it throws. The write
   * lock is taken at `BEGIN`, before any work, so a busy database never fails a write halfway.
   *
   * Another process holding the write lock (a `todo import` writing a batch, a `sqlite3` shell) is waited for
   * here, up to the connection's busy timeout, without holding up the thread: SQLite's own wait would, and on
   * the server every other request, reads included, would wait with it. `work` itself runs synchronously, so
   * that nothing else this process runs on the connection comes between its `BEGIN` and `COMMIT`.
   */
  async write<T>(work: () => T): Promise<T> {
    const deadline = performance.now() + this.busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      // No await between BEGIN and COMMIT: another write of this process would find the transaction open.
      const busy = this.tryBegin();
      if (busy === undefined) return this.runBegun(work);
      if (performance.now() >= deadline) throw busy;
      await delay(Math.min(2 ** attempt, MAX_LOCK_RETRY_MS));
    }
  }

  /** Runs `work` in the transaction just begun, and commits it, or rolls it back when `work` throws. */
  private runBegun<T>(work: () => T): T {
    try {
      const result = work();
      this.database.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.database.inTransaction) this.database.exec("ROLLBACK");
      throw error;
    }
  }

  /**
   * `BEGIN IMMEDIATE` without SQLite's busy wait: undefined once begun, the SQLITE_BUSY error if locked. Run with
   * `exec`, not as prepared statements: a prepared BEGIN refused as busy stays in progress, and the next COMMIT
   * fails ("SQL statements in progress"), as does the checkpoint on closing.
   */
  private tryBegin(): Error | undefined {
    this.checkOpen();
    this.database.exec("PRAGMA busy_timeout = 0");
    try {
      this.database.exec("BEGIN IMMEDIATE");
      return undefined;
    } catch (error) {
      if (error instanceof Database.SqliteError && String(error.code).startsWith("SQLITE_BUSY")) return error;
      throw error;
    } finally {
      this.database.exec(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  private statement(sql: string, args: readonly SqlValue[], returnsRows = false): Database.Statement {
    this.checkOpen();
    for (const value of args) checkBindable(value);
    let statement = this.prepared.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare(sql);
      if (returnsRows) statement.raw();
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  private checkOpen(): void {
    if (!this.database.open) throw new Error("The SQLite database is closed.");
  }
}

function checkBindable(value: unknown): void {
  if (value === null || typeof value === "string" || typeof value === "bigint") return;
  if (typeof value === "number" && Number.isFinite(value)) return;
  throw new UnbindableValueError(value);
}

/**
 * A value the driver must not be handed: libsql binds `undefined` and NaN as NULL without a word, refuses
 * objects with a plain `Error`, and aborts the whole process on a boolean. Thrown before binding instead.
 */
export class UnbindableValueError extends TypeError {
  constructor(value: unknown) {
    const kind = typeof value === "number" ? String(value) : value === undefined ? "undefined" : typeof value;
    super(`SQLite cannot store a value of ${kind}.`);
    this.name = "UnbindableValueError";
  }
}
