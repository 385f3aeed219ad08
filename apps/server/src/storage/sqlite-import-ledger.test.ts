import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteDatabase, type SqliteDatabase } from "./sqlite-database.js";
import { SqliteImportLedger } from "./sqlite-import-ledger.js";

// The behaviour every ledger shares is in test/contracts; this is about several connections to one file.
describe("SqliteImportLedger", () => {
  let directory: string;
  let databases: SqliteDatabase[];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "anycloud-sqlite-"));
    const url = pathToFileURL(join(directory, "todos.db")).href;
    // Opened together, as by processes starting at once: each must find or create the schema.
    databases = await Promise.all(Array.from({ length: 4 }, () => openSqliteDatabase({ url })));
  });

  afterEach(async () => {
    for (const database of databases) database.close();
    await rm(directory, { recursive: true, force: true });
  });

  // In one process the driver runs each claim whole before the next: these claims do not race. That a claim is
  // atomic against another process's is shown by test/contracts/sqlite-processes.test.ts.
  it("gives an import to one claim of several, made on connections sharing the database file", async () => {
    const ledgers = databases.map((database) => new SqliteImportLedger(database));
    const claim = {
      importId: "uploads/todos.csv@v1",
      source: { container: "uploads", key: "todos.csv", version: "v1" },
      now: "2030-01-01T00:00:00.000Z",
      leaseExpiresAt: "2030-01-01T00:15:00.000Z",
    };

    const results = await Promise.all(
      ledgers.flatMap((ledger) => [ledger.claim(claim), ledger.claim(claim)]),
    );

    expect(results.filter((result) => result.claimed)).toHaveLength(1);
  });
});

describe("SqliteImportLedger on a closed database", () => {
  it("fails as the import ledger unavailable", async () => {
    const database = await openSqliteDatabase({ url: ":memory:" });
    const ledger = new SqliteImportLedger(database);
    database.close();

    const attempt = ledger.get("i-1");

    await expect(attempt).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
      message: "The import ledger is unavailable.",
    });
  });
});
