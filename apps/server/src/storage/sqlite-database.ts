import { dirname } from "node:path";
import Database from "libsql";
import { ensureDirectory } from "../files/ensure-directory.js";

/** An open SQLite database: libsql's synchronous, better-sqlite3-compatible connection. */
export type SqliteDatabase = Database.Database;

export interface SqliteDatabaseOptions {
  /** `file:/abs/path/todos.db` (or `file:///…`, or a relative `file:data/todos.db`), or `:memory:`. */
  url: string;
  /**
   * How long a write waits for another process's write lock before failing (`SqliteStatements.write` waits
   * without holding up the thread), and opening for theirs (closing does not wait). Defaults to 5 s.
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
    // Before the pragmas: journal_mode is kept in the file, and a database this build refuses is left as it was.
    refuseNewer(database);
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
    const version = refuseNewer(database);
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

/** The database's schema version; throws NewerSchemaError when a newer build has moved it on. */
function refuseNewer(database: SqliteDatabase): number {
  const version = userVersion(database);
  if (version > MIGRATIONS.length) throw new NewerSchemaError(version);
  return version;
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
 * Closes a database opened by `openSqliteDatabase`, its write-ahead log first copied into the database
 * file and emptied. libsql's `close` leaves the connection open while the stores' prepared statements
 * live, and a process that then exits leaves the last commits in `todos.db-wal` only: a backup of
 * `todos.db` alone would miss them.
 */
export function closeSqliteDatabase(database: SqliteDatabase): void {
  if (!database.open) return;
  try {
    // Not while another connection holds the database (the server beside a `todo list`, or an import beside
    // a server stopping): that one copies the log when it closes, and waiting for its lock would hold this
    // close up for the whole busy timeout, then give up all the same.
    database.exec("PRAGMA busy_timeout = 0");
    database.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    // Closed all the same when the copy fails (a full disk): the commits stay in the log, which the next open
    // reads, and the caller is told why.
    database.close();
  }
}
