import { dirname } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import Database from "libsql";
import { ensureDirectory } from "../files/ensure-directory.js";

/** An open SQLite database: libsql's synchronous, better-sqlite3-compatible connection. */
export type SqliteDatabase = Database.Database;

export interface SqliteDatabaseOptions {
  /** `file:/abs/path/todos.db` (or `file:///…`, or a relative `file:data/todos.db`), or `:memory:`. */
  url: string;
  /**
   * How long a write waits for another process's write lock before failing (`SqliteStatements.write` waits
   * without holding up the thread), and opening and closing for theirs. Defaults to 5 s.
   */
  busyTimeoutMs?: number;
}

/**
 * The schema, one step per version: step `i` takes `PRAGMA user_version` from `i` to `i + 1`. Append new
 * steps; never edit a step that has shipped, since databases in the field already ran it.
 */
const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE todos (
      id TEXT PRIMARY KEY NOT NULL,
      task TEXT NOT NULL,
      name TEXT,
      due_date TEXT,
      checked INTEGER NOT NULL CHECK (checked IN (0, 1)),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      version INTEGER NOT NULL
    )`,
    // Keyset pagination walks this index: `WHERE (created_at, id) > (?, ?) ORDER BY created_at, id`.
    "CREATE INDEX todos_by_position ON todos (created_at, id)",
    `CREATE TABLE imports (
      import_id TEXT PRIMARY KEY NOT NULL,
      source TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
      attempt INTEGER NOT NULL,
      started_at TEXT NOT NULL,
      lease_expires_at TEXT NOT NULL,
      report TEXT
    )`,
  ],
  // The line through which an import's rows are stored (core's `ImportEntry.writtenThrough`): a takeover goes on
  // from there.
  ["ALTER TABLE imports ADD COLUMN written_through INTEGER"],
];

/** The schema version a database has once `openSqliteDatabase` returns. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating it if needed) the SQLite database behind `SqliteTodoRepository` and `SqliteImportLedger`,
 * and brings its schema up to date. The caller owns the database and closes it.
 *
 * One connection, used synchronously: SQLite runs on Node's one thread either way, so a pool would buy no
 * parallelism, and a synchronous call skips the promise machinery and the re-preparing of an async client.
 *
 * @example
 * const database = await openSqliteDatabase({ url: "file:/var/lib/todos/todos.db" });
 * const todos = new SqliteTodoRepository(database);
 * const imports = new SqliteImportLedger(database);
 */
export async function openSqliteDatabase(options: SqliteDatabaseOptions): Promise<SqliteDatabase> {
  const path = localPathOf(options.url);
  if (path !== ":memory:") await ensureDirectory(dirname(path));
  // `timeout` is SQLite's busy timeout, in milliseconds.
  const database = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    // WAL lets readers run beside the writer; in WAL mode NORMAL only risks the last commits on power loss,
    // never corruption. Neither pragma may run inside a transaction, so they come first.
    database.exec("PRAGMA journal_mode = WAL");
    database.exec("PRAGMA synchronous = NORMAL");
    migrate(database);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * Runs the steps this database has not run yet, each in one write transaction with its version bump. The
 * transaction takes the write lock as it begins, so of several processes opening the database at once, each
 * step runs in exactly one; the others find the version already moved on.
 */
function migrate(database: SqliteDatabase): void {
  for (;;) {
    const version = userVersion(database);
    if (version > MIGRATIONS.length) throw new NewerSchemaError(version);
    const step = MIGRATIONS[version];
    if (step === undefined) return;
    database
      .transaction(() => {
        if (userVersion(database) !== version) return;
        for (const sql of step) database.exec(sql);
        database.exec(`PRAGMA user_version = ${version + 1}`);
      })
      .immediate();
  }
}

/**
 * A database a newer build has migrated: this build refuses to touch it. Its `code` says it is the database's
 * state, not a bug, as the driver's errors' do: `todo` says so in one line (exit 2) rather than with a stack.
 */
export class NewerSchemaError extends Error {
  readonly code = "SCHEMA_TOO_NEW";

  constructor(version: number) {
    super(`The database is at schema version ${version}; this build knows ${MIGRATIONS.length}.`);
    this.name = "NewerSchemaError";
  }
}

function userVersion(database: SqliteDatabase): number {
  // Not `database.pragma(…, { simple: true })`: libsql's returns the whole row, not the value.
  const row = database.prepare("PRAGMA user_version").raw().get() as unknown[] | undefined;
  return Number(row?.[0] ?? 0);
}

/** The file path of a `file:` url (relative paths stay relative), or `:memory:` for an in-memory database. */
function localPathOf(url: string): string {
  if (url === ":memory:") return url;
  const match = /^file:(?:\/\/[^/?#]*)?([^?#]*)/i.exec(url);
  if (!match) throw new Error('A SQLite database url starts with "file:" or is ":memory:".');
  const path = decodeURIComponent(match[1] ?? "");
  if (path === "" || path.startsWith(":memory:")) return ":memory:";
  // `pathToFileURL("C:\\data\\todos.db")` is `file:///C:/data/todos.db`: drop the slash before the drive.
  return process.platform === "win32" && /^\/[a-z]:/i.test(path) ? path.slice(1) : path;
}

/**
 * The longest pause between two attempts at a write lock another process holds: a `todo import` holds it a few
 * milliseconds per batch, and SQLite's own wait, up to 100 ms between attempts, would miss most of its gaps.
 */
const MAX_LOCK_RETRY_MS = 8;

/** A value SQLite binds as is. Booleans are not among them: the stores convert them to 0 or 1 first. */
export type SqlValue = string | number | bigint | null;

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

/**
 * Closes a database opened by `openSqliteDatabase`, its write-ahead log first copied into the database
 * file and emptied. libsql's `close` leaves the connection open while the stores' prepared statements
 * live, and a process that then exits leaves the last commits in `todos.db-wal` only: a backup of
 * `todos.db` alone would miss them.
 */
export function closeSqliteDatabase(database: SqliteDatabase): void {
  if (!database.open) return;
  database.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  database.close();
}

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
