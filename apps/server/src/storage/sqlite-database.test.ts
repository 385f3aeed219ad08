import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteDatabase, SQLITE_SCHEMA_VERSION } from "./sqlite-database.js";

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

    const client = await openSqliteDatabase({ url: pathToFileURL(path).href });
    client.close();

    expect((await stat(path)).isFile()).toBe(true);
  });

  it("brings a new database to the latest schema version, and opening it again changes nothing", async () => {
    const url = pathToFileURL(join(directory, "todos.db")).href;
    (await openSqliteDatabase({ url })).close();

    const client = await openSqliteDatabase({ url });
    const version = (await client.execute("PRAGMA user_version")).rows[0]?.[0];
    const tables = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    client.close();

    expect(version).toBe(SQLITE_SCHEMA_VERSION);
    expect(tables.rows.map((row) => row.name)).toEqual(["imports", "todos"]);
  });

  it("puts a file database in write-ahead-log mode", async () => {
    const client = await openSqliteDatabase({ url: pathToFileURL(join(directory, "todos.db")).href });

    const mode = (await client.execute("PRAGMA journal_mode")).rows[0]?.[0];
    const synchronous = (await client.execute("PRAGMA synchronous")).rows[0]?.[0];
    client.close();

    expect(mode).toBe("wal");
    expect(synchronous).toBe(1);
  });

  it("opens an in-memory database with the schema", async () => {
    const client = await openSqliteDatabase({ url: ":memory:" });

    const count = (await client.execute("SELECT count(*) AS n FROM todos")).rows[0]?.n;
    client.close();

    expect(count).toBe(0);
  });

  it("refuses a url that names no local database", async () => {
    const attempt = openSqliteDatabase({ url: "https://example.com/todos.db" });

    await expect(attempt).rejects.toThrow(/file:/);
  });
});
