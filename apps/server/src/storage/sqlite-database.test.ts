import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteDatabase, SQLITE_SCHEMA_VERSION, type SqliteDatabase } from "./sqlite-database.js";

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
