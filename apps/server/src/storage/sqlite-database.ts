import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { type Client, createClient } from "@libsql/client";

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
];

/** The schema version a database has once `openSqliteDatabase` returns. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating it if needed) the SQLite database behind `SqliteTodoRepository` and `SqliteImportLedger`,
 * and brings its schema up to date. The caller owns the client and closes it.
 *
 * The client keeps a single connection: libsql runs every statement synchronously on Node's one thread, so a
 * pool buys no parallelism, and one connection means the per-connection settings below hold for every call.
 * Prefer `client.batch` to an interactive `client.transaction()`: while one is open, other calls fail.
 *
 * @example
 * const client = await openSqliteDatabase({ url: "file:/var/lib/todos/todos.db" });
 * const todos = new SqliteTodoRepository(client);
 * const imports = new SqliteImportLedger(client);
 */
export async function openSqliteDatabase(options: SqliteDatabaseOptions): Promise<Client> {
  const path = localPathOf(options.url);
  if (path !== undefined) await mkdir(dirname(path), { recursive: true });
  const client = createClient({ url: options.url, concurrency: 1, timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    // WAL lets readers run beside the writer; in WAL mode NORMAL only risks the last commits on power loss,
    // never corruption. Neither pragma may run inside a transaction, so they come first.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA synchronous = NORMAL");
    await migrate(client);
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}

/**
 * Runs the steps this database has not run yet, each in one write transaction with its version bump. A batch
 * runs start to commit without yielding, so it cannot deadlock with another client in this process.
 */
async function migrate(client: Client): Promise<void> {
  for (;;) {
    const version = await userVersion(client);
    if (version > MIGRATIONS.length) {
      throw new Error(`The database is at schema version ${version}; this build knows ${MIGRATIONS.length}.`);
    }
    const step = MIGRATIONS[version];
    if (step === undefined) return;
    try {
      await client.batch([...step, `PRAGMA user_version = ${version + 1}`], "write");
    } catch (error) {
      // Another process may have run this step between our read and our write: then carry on from there.
      if ((await userVersion(client)) === version) throw error;
    }
  }
}

async function userVersion(client: Client): Promise<number> {
  const result = await client.execute("PRAGMA user_version");
  return Number(result.rows[0]?.[0] ?? 0);
}

/** The file path of a `file:` url, or undefined for an in-memory database. */
function localPathOf(url: string): string | undefined {
  if (url === ":memory:") return undefined;
  const match = /^file:(?:\/\/[^/?#]*)?([^?#]*)/i.exec(url);
  if (!match) throw new Error('A SQLite database url starts with "file:" or is ":memory:".');
  const path = decodeURIComponent(match[1] ?? "");
  return path === "" || path.startsWith(":memory:") ? undefined : path;
}
