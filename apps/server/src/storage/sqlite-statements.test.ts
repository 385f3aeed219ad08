import Database from "libsql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openSqliteDatabase, type SqliteDatabase } from "./sqlite-database.js";
import { SqliteStatements, UnbindableValueError } from "./sqlite-statements.js";

// The stores' tests use these through the stores; these are about what no store call shows on its own.
describe("SqliteStatements", () => {
  let database: SqliteDatabase;

  beforeEach(async () => {
    database = await openSqliteDatabase({ url: ":memory:", busyTimeoutMs: 1_000 });
  });

  afterEach(() => {
    // libsql aborts the process on `inTransaction` of a closed connection: ask only an open one.
    if (!database.open) return;
    if (database.inTransaction) database.exec("ROLLBACK");
    database.close();
  });

  it("binds a bigint", () => {
    const statements = new SqliteStatements(database);

    expect(statements.get("SELECT ? + 1", [41n])).toEqual([42]);
  });

  it.each([
    ["undefined", undefined],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["boolean", true],
    ["object", {}],
  ])("refuses to bind %s, saying what it was", (kind, value) => {
    const statements = new SqliteStatements(database);

    const error = (() => {
      try {
        statements.get("SELECT ?", [value as never]);
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(UnbindableValueError);
    expect(error).toMatchObject({
      name: "UnbindableValueError",
      message: `SQLite cannot store a value of ${kind}.`,
    });
  });

  it("refuses a write once the database is closed, saying so", async () => {
    const statements = new SqliteStatements(database);
    database.close();

    await expect(statements.write(() => 1)).rejects.toThrow("The SQLite database is closed.");
  });

  // It is set to 0 for each attempt at the lock; closing's checkpoint and other statements wait by it.
  it("leaves the connection's busy timeout as it found it after a write", async () => {
    const statements = new SqliteStatements(database);

    await statements.write(() => statements.run("CREATE TABLE t (x)", []));

    expect(database.prepare("PRAGMA busy_timeout").raw().get()).toEqual([1_000]);
  });

  // SQLITE_BUSY_RECOVERY: another connection is recovering the write-ahead log, and will let go as a lock does.
  it("tries again when BEGIN is refused with an extended busy code", async () => {
    const statements = new SqliteStatements(database);
    const exec = database.exec.bind(database);
    let refusals = 1;
    vi.spyOn(database, "exec").mockImplementation((sql: string) => {
      if (sql !== "BEGIN IMMEDIATE" || refusals-- <= 0) return exec(sql);
      throw new Database.SqliteError("database is locked", "SQLITE_BUSY_RECOVERY");
    });

    const result = await statements.write(() => "written");

    expect(result).toBe("written");
  });

  it("fails at once, without trying again, when BEGIN fails for another reason than a lock", async () => {
    const statements = new SqliteStatements(database);
    database.exec("BEGIN");
    const exec = vi.spyOn(database, "exec");

    const attempt = statements.write(() => 1);

    await expect(attempt).rejects.toThrow(/within a transaction/);
    expect(exec.mock.calls.filter(([sql]) => sql === "BEGIN IMMEDIATE")).toHaveLength(1);
  });

  // SQLite rolls a transaction back itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM...): a ROLLBACK
  // then would fail, and its error would hide the one that broke the write.
  it("rethrows the work's error when the transaction is already rolled back", async () => {
    const statements = new SqliteStatements(database);

    const attempt = statements.write(() => {
      database.exec("ROLLBACK");
      throw new Error("the work failed");
    });

    await expect(attempt).rejects.toThrow("the work failed");
  });
});
