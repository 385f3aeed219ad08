import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "libsql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { aTodo } from "../../../../test/support/todos.js";
import {
  closeSqliteDatabase,
  NewerSchemaError,
  openSqliteDatabase,
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
} from "./sqlite-database.js";
import { SqliteImportLedger } from "./sqlite-import-ledger.js";
import { SqliteTodoRepository } from "./sqlite-todo-repository.js";

describe("openSqliteDatabase", () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "anycloud-sqlite-"));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("creates the missing parent directories of a file database", async () => {
    const path = join(directory, "nested", "deeper", "todos.db");

    const database = await openSqliteDatabase({ url: pathToFileURL(path).href });
    database.close();

    expect((await stat(path)).isFile()).toBe(true);
  });

  it("opens the file a url with escaped characters names", async () => {
    const path = join(directory, "with space & ünïcode", "todos.db");

    const database = await openSqliteDatabase({ url: pathToFileURL(path).href });
    database.close();

    expect((await stat(path)).isFile()).toBe(true);
  });

  it("brings a new database to the latest schema version, and opening it again changes nothing", async () => {
    const url = pathToFileURL(join(directory, "todos.db")).href;
    (await openSqliteDatabase({ url })).close();

    const database = await openSqliteDatabase({ url });
    const version = pragma(database, "user_version");
    const tables = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all();
    database.close();

    expect(version).toBe(SQLITE_SCHEMA_VERSION);
    expect(tables.map((row) => (row as { name: string }).name)).toEqual(["imports", "todos"]);
  });

  it("brings a database of the first schema version to the latest, its imports kept, and their checkpoint absent", async () => {
    const path = join(directory, "todos.db");
    // The first version's imports table, as a build of that version left it, with one import.
    const first = new Database(path);
    first.exec(`CREATE TABLE imports (import_id TEXT PRIMARY KEY NOT NULL, source TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')), attempt INTEGER NOT NULL,
      started_at TEXT NOT NULL, lease_expires_at TEXT NOT NULL, report TEXT)`);
    first.exec(`CREATE TABLE todos (id TEXT PRIMARY KEY NOT NULL, task TEXT NOT NULL, name TEXT, due_date TEXT,
      checked INTEGER NOT NULL CHECK (checked IN (0, 1)), created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
      version INTEGER NOT NULL)`);
    first.exec("CREATE INDEX todos_by_position ON todos (created_at, id)");
    first
      .prepare("INSERT INTO imports VALUES (?, ?, 'FAILED', 1, ?, ?, NULL)")
      .run([
        "i-1",
        '{"container":"c","key":"k","version":"v"}',
        "2030-01-01T00:00:00.000Z",
        "2030-01-01T00:01:00.000Z",
      ]);
    first.exec("PRAGMA user_version = 1");
    first.close();

    const database = await openSqliteDatabase({ url: pathToFileURL(path).href });
    const ledger = new SqliteImportLedger(database);
    const before = await ledger.get("i-1");
    const claimed = await ledger.claim({
      importId: "i-1",
      source: { container: "c", key: "k", version: "v" },
      now: "2030-01-02T00:00:00.000Z",
      leaseExpiresAt: "2030-01-02T00:01:00.000Z",
    });
    await ledger.renew("i-1", 2, "2030-01-02T00:02:00.000Z", 41);
    const after = await ledger.get("i-1");
    const version = pragma(database, "user_version");
    database.close();

    expect(version).toBe(SQLITE_SCHEMA_VERSION);
    expect(before).toMatchObject({ status: "FAILED", attempt: 1 });
    expect(before).not.toHaveProperty("writtenThrough");
    expect(claimed).toMatchObject({ claimed: true, entry: { attempt: 2 } });
    expect(after).toMatchObject({ status: "RUNNING", attempt: 2, writtenThrough: 41 });
  });

  // As when several processes start at once: another one runs the steps between this one's read of the version
  // and its transaction, which must then find the version moved on and run nothing.
  it("runs no step another connection ran after it read the schema version", async () => {
    const path = join(directory, "todos.db");
    const { transaction } = Database.prototype;
    const spy = vi.spyOn(Database.prototype, "transaction").mockImplementationOnce(function (
      this: SqliteDatabase,
      work,
    ) {
      const other = new Database(path);
      other.exec(`CREATE TABLE todos (id TEXT); PRAGMA user_version = ${SQLITE_SCHEMA_VERSION}`);
      other.close();
      return transaction.call(this, work);
    });

    const opened = await openSqliteDatabase({ url: pathToFileURL(path).href }).catch(
      (caught: unknown) => caught,
    );
    spy.mockRestore();

    expect(opened).toBeInstanceOf(Database);
    (opened as SqliteDatabase).close();
  });

  it("puts a file database in write-ahead-log mode", async () => {
    const database = await openSqliteDatabase({ url: pathToFileURL(join(directory, "todos.db")).href });

    const mode = pragma(database, "journal_mode");
    const synchronous = pragma(database, "synchronous");
    database.close();

    expect(mode).toBe("wal");
    expect(synchronous).toBe(1);
  });

  it("waits 5 s for another process's lock unless told otherwise", async () => {
    const url = pathToFileURL(join(directory, "todos.db")).href;
    const byDefault = await openSqliteDatabase({ url });
    const patient = await openSqliteDatabase({ url, busyTimeoutMs: 12_000 });

    const timeouts = [pragma(byDefault, "busy_timeout"), pragma(patient, "busy_timeout")];
    byDefault.close();
    patient.close();

    expect(timeouts).toEqual([5_000, 12_000]);
  });

  it("opens an in-memory database with the schema", async () => {
    const database = await openSqliteDatabase({ url: ":memory:" });

    const count = (database.prepare("SELECT count(*) AS n FROM todos").get() as { n: number }).n;
    database.close();

    expect(count).toBe(0);
  });

  it("opens file: (an empty path) as an in-memory database", async () => {
    const database = await openSqliteDatabase({ url: "file:" });

    const memory = database.memory;
    database.close();

    expect(memory).toBe(true);
  });

  it.each([
    ["with one slash", (path: string) => `file:${path}`],
    ["naming localhost", (path: string) => `file://localhost${path}`],
  ])("opens the absolute path of a file url %s", async (_form, urlOf) => {
    const path = join(directory, "todos.db");

    const database = await openSqliteDatabase({ url: urlOf(path) });
    database.close();

    expect((await stat(path)).isFile()).toBe(true);
  });

  it.each(["https://example.com/todos.db", "https://example.com/file:/todos.db"])(
    "refuses %s, which names no local database",
    async (url) => {
      const attempt = openSqliteDatabase({ url });

      await expect(attempt).rejects.toThrow(/file:/);
    },
  );

  it("refuses a database a newer build has migrated, leaving it untouched and closed", async () => {
    const path = join(directory, "todos.db");
    const newer = new Database(path);
    newer.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    newer.close();

    const close = vi.spyOn(Database.prototype, "close");

    const error = await openSqliteDatabase({ url: pathToFileURL(path).href }).catch(
      (caught: unknown) => caught,
    );
    const closed = close.mock.calls.length;
    close.mockRestore();

    expect(error).toBeInstanceOf(NewerSchemaError);
    expect(error).toMatchObject({
      name: "NewerSchemaError",
      code: "SCHEMA_TOO_NEW",
      message: `The database is at schema version ${SQLITE_SCHEMA_VERSION + 1}; this build knows ${SQLITE_SCHEMA_VERSION}.`,
    });
    expect(closed).toBe(1);
    // Not even put in WAL mode, which the file keeps, nor given a log beside it.
    await expect(stat(`${path}-wal`)).rejects.toMatchObject({ code: "ENOENT" });
    const reopened = new Database(path);
    const tables = reopened.prepare("SELECT name FROM sqlite_master").all();
    const settings = [pragma(reopened, "user_version"), pragma(reopened, "journal_mode")];
    reopened.close();
    expect(tables).toEqual([]);
    expect(settings).toEqual([SQLITE_SCHEMA_VERSION + 1, "delete"]);
  });
});

/** The value of a pragma, read as a one-column row. */
function pragma(database: SqliteDatabase, name: string): unknown {
  return (database.prepare(`PRAGMA ${name}`).raw().get() as unknown[] | undefined)?.[0];
}

describe("closeSqliteDatabase", () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "anycloud-sqlite-"));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("leaves every commit in the database file, its write-ahead log emptied, while the stores' statements live", async () => {
    const path = join(directory, "todos.db");
    const database = await openSqliteDatabase({ url: pathToFileURL(path).href });
    // Its prepared statements keep libsql's connection open past `close`, as a running server's stores do: the
    // commits would stay in todos.db-wal, and a process exiting then leaves them there.
    const repository = new SqliteTodoRepository(database);
    expect((await repository.putMany(Array.from({ length: 200 }, () => aTodo()))).failed).toEqual([]);
    expect((await stat(`${path}-wal`)).size).toBeGreaterThan(0);

    closeSqliteDatabase(database);

    expect((await stat(`${path}-wal`).catch(() => ({ size: 0 }))).size).toBe(0);
    const reopened = await openSqliteDatabase({ url: pathToFileURL(path).href });
    expect(reopened.prepare("SELECT count(*) FROM todos").raw().get()).toEqual([200]);
    reopened.close();
  });

  it("closes the connection even when the copy of its log fails, and throws why", () => {
    const full = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    const database = {
      open: true,
      exec: () => {
        throw full;
      },
      close: vi.fn(),
    };

    expect(() => closeSqliteDatabase(database as unknown as SqliteDatabase)).toThrow(full);
    expect(database.close).toHaveBeenCalledOnce();
  });

  it("does not wait for another connection's lock to copy the log: that connection copies it when it closes", async () => {
    const url = pathToFileURL(join(directory, "todos.db")).href;
    const writing = await openSqliteDatabase({ url });
    writing.exec("BEGIN IMMEDIATE");
    // Patient enough that waiting would outlast the test's own time limit: the thread is held while it waits.
    const closing = await openSqliteDatabase({ url, busyTimeoutMs: 8_000 });
    try {
      closeSqliteDatabase(closing);
    } finally {
      writing.exec("ROLLBACK");
      writing.close();
    }
    expect(closing.open).toBe(false);
  });

  it("does nothing to a database already closed", async () => {
    const database = await openSqliteDatabase({ url: pathToFileURL(join(directory, "todos.db")).href });
    closeSqliteDatabase(database);

    expect(() => closeSqliteDatabase(database)).not.toThrow();
  });
});
