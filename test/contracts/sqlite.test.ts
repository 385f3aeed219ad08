import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openSqliteDatabase, SqliteImportLedger, SqliteTodoRepository } from "@anycloud/server/storage";
import { afterEach, describe, expect, it } from "vitest";
import { describeImportLedgerContract } from "./import-ledger.contract.js";
import { describeTodoRepositoryContract } from "./todo-repository.contract.js";

/** A fresh database file in its own temporary directory; `dispose` closes it and removes the directory. */
async function openTemporaryDatabase() {
  const directory = await mkdtemp(join(tmpdir(), "anycloud-sqlite-"));
  const url = pathToFileURL(join(directory, "todos.db")).href;
  const client = await openSqliteDatabase({ url });
  return {
    client,
    url,
    dispose: async () => {
      client.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

describeTodoRepositoryContract(
  "SqliteTodoRepository",
  async () => {
    const { client, dispose } = await openTemporaryDatabase();
    return { repository: new SqliteTodoRepository(client), dispose };
  },
  { modelRuns: 300 },
);

describeImportLedgerContract(
  "SqliteImportLedger",
  async () => {
    const { client, dispose } = await openTemporaryDatabase();
    return { ledger: new SqliteImportLedger(client), dispose };
  },
  { referenceRuns: 300 },
);

describe("SQLite database file", () => {
  let dispose: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await dispose?.();
  });

  it("keeps todos and imports after the database is closed and opened again", async () => {
    const database = await openTemporaryDatabase();
    dispose = database.dispose;
    const todo = {
      id: randomUUID(),
      task: "Survive a restart 🔁",
      name: null,
      dueDate: "2030-01-31",
      checked: true,
      createdAt: "2030-01-01T00:00:00.000Z",
      updatedAt: "2030-01-01T00:00:00.000Z",
      version: 1,
    };
    const claim = {
      importId: randomUUID(),
      source: { container: "uploads", key: "todos.csv" },
      now: "2030-01-01T00:00:00.000Z",
      leaseExpiresAt: "2030-01-01T00:15:00.000Z",
    };
    await new SqliteTodoRepository(database.client).create(todo);
    const { entry } = await new SqliteImportLedger(database.client).claim(claim);
    database.client.close();

    const reopened = await openSqliteDatabase({ url: database.url });
    try {
      expect(await new SqliteTodoRepository(reopened).get(todo.id)).toEqual(todo);
      expect(await new SqliteImportLedger(reopened).get(claim.importId)).toEqual(entry);
    } finally {
      reopened.close();
    }
  });
});
