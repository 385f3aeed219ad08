import { dirname } from "node:path";
import Database from "libsql";
import { ensureDirectory } from "../files/ensure-directory.js";

/** An open SQLite database: libsql's synchronous, better-sqlite3-compatible connection. */
export type SqliteDatabase = Database.Database;

export interface SqliteDatabaseOptions {
  /** `file:/abs/path/todos.db` (or `file:///…`, or a relative `file:data/todos.db`), or `:memory:`. */
  url: string;
  /** How long a statement waits for another process's lock before failing. Defaults to 5 s. */
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
 * column values, in the order the statement selects them.
 *
 * Refuses to run once the database is closed: libsql's prepared statements hold their own reference to the
 * connection and would otherwise keep reading and writing a database its owner has closed.
 */
export class SqliteStatements {
  private readonly prepared = new Map<string, Database.Statement>();

  constructor(private readonly database: SqliteDatabase) {}

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
   * lock is taken at `BEGIN`, so a busy database makes it wait (up to the busy timeout) before any work, and
   * never fails it halfway.
   */
  transaction<T>(work: () => T): T {
    this.checkOpen();
    return this.database.transaction(work).immediate();
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
