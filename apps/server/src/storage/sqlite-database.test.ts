import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aTodo } from "../../../../test/support/todos.js";
import {
  closeSqliteDatabase,
  openSqliteDatabase,
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
} from "./sqlite-database.js";
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

  it("refuses a url that names no local database", async () => {
    const attempt = openSqliteDatabase({ url: "https://example.com/todos.db" });

    await expect(attempt).rejects.toThrow(/file:/);
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
});
