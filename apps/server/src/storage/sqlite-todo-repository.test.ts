import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { comparePositions, positionOf, StoreUnavailableError, type Todo } from "@anycloud/core";
import Database from "libsql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { aTodo } from "../../../../test/support/todos.js";
import { closeSqliteDatabase, openSqliteDatabase, type SqliteDatabase } from "./sqlite-database.js";
import { SqliteImportLedger } from "./sqlite-import-ledger.js";
import { LIST_STATEMENTS, SqliteTodoRepository } from "./sqlite-todo-repository.js";

// The behaviour every repository shares is in test/contracts; these tests are about SQLite itself.
describe("SqliteTodoRepository", () => {
  let database: SqliteDatabase;
  let repository: SqliteTodoRepository;

  beforeEach(async () => {
    database = await openSqliteDatabase({ url: ":memory:" });
    repository = new SqliteTodoRepository(database);
  });

  afterEach(() => {
    if (database.open) database.close();
  });

  it("lists todos by creation time, then id", async () => {
    const todos = Array.from({ length: 40 }, (_, index) => aTodo({ createdAt: instant(index % 6) }));
    await repository.putMany(todos);

    const first = await repository.list({ limit: 25 });
    const second = await repository.list({ limit: 25, cursor: first.nextCursor! });

    const expected = [...todos].sort((a, b) => comparePositions(positionOf(a), positionOf(b)));
    expect([...first.items, ...second.items]).toEqual(expected);
  });

  it.each([
    ["the first page", LIST_STATEMENTS.FIRST_PAGE, [11]],
    ["a next page", LIST_STATEMENTS.NEXT_PAGE, ["2030-01-01T00:00:00.000Z", randomUUID(), 11]],
  ])(
    "reads %s through the (created_at, id) index rather than sorting the table",
    (_page, statement, values) => {
      const plan = database.prepare(`EXPLAIN QUERY PLAN ${statement}`).all(values);

      const details = plan.map((row) => String((row as { detail: unknown }).detail)).join("\n");
      expect(details).toContain("todos_by_position");
      expect(details).not.toContain("TEMP B-TREE");
    },
  );

  it("reports the todos a batch could not write, without SQL in the reason, and writes the rest", async () => {
    const good = [aTodo(), aTodo()];
    const broken = { ...aTodo(), task: null } as unknown as Todo;

    const result = await repository.putMany([good[0]!, broken, good[1]!]);

    expect(result.failed).toEqual([{ id: broken.id, reason: expect.any(String) }]);
    expect(result.failed[0]?.reason).not.toMatch(/sqlite|insert|todos|constraint/i);
    expect(await repository.get(good[0]!.id)).toEqual(good[0]);
    expect(await repository.get(good[1]!.id)).toEqual(good[1]);
    expect(await repository.get(broken.id)).toBeUndefined();
  });

  it("reports a todo holding a value the driver cannot bind", async () => {
    const broken = { ...aTodo(), dueDate: undefined } as unknown as Todo;

    const result = await repository.putMany([broken, aTodo()]);

    expect(result.failed.map((failure) => failure.id)).toEqual([broken.id]);
    expect(await repository.get(broken.id)).toBeUndefined();
  });

  // libsql binds undefined and NaN as NULL, and aborts the process on a boolean: none may reach it.
  it.each([
    ["a boolean", { name: true }],
    ["NaN", { version: Number.NaN }],
    ["an object", { dueDate: new Date(0) }],
  ])("refuses a todo holding %s, in a batch and on its own", async (_kind, overrides) => {
    const broken = { ...aTodo(), ...overrides } as unknown as Todo;

    const result = await repository.putMany([aTodo(), broken]);
    const alone = await repository.create(broken).catch((caught: unknown) => caught);

    expect(result.failed.map((failure) => failure.id)).toEqual([broken.id]);
    expect(alone).toBeInstanceOf(StoreUnavailableError);
    expect(await repository.get(broken.id)).toBeUndefined();
  });

  it("wraps a driver failure in StoreUnavailableError, with the driver's error as cause", async () => {
    database.close();

    const error = await repository.get(randomUUID()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).message).toBe("The todo store is unavailable.");
    expect((error as StoreUnavailableError).cause).toBeInstanceOf(Error);
  });

  it("writes a batch past what one statement can bind (32,766 values) in one call", async () => {
    const todos = Array.from({ length: 4_200 }, () => aTodo());

    const result = await repository.putMany(todos);

    expect(result.failed).toEqual([]);
    expect(database.prepare("SELECT count(*) FROM todos").raw().get()).toEqual([todos.length]);
  });

  it("puts a page in order even when SQLite's aggregate hands its rows back in another", async () => {
    const todos = Array.from({ length: 5 }, (_, index) => aTodo({ createdAt: instant(index) }));
    await repository.putMany(todos);
    reversePages(database);

    const page = await repository.list({ limit: 10 });

    expect(page.items).toEqual(todos);
  });

  it.each([
    ["a missing field", { task: null }, "The todo has a missing or invalid field."],
    ["a value it cannot bind", { dueDate: undefined }, "The todo has a value the store cannot hold."],
  ])("says a todo with %s has it, in its own words", async (_kind, overrides, reason) => {
    const broken = { ...aTodo(), ...overrides } as unknown as Todo;

    const result = await repository.putMany([broken]);

    expect(result.failed).toEqual([{ id: broken.id, reason }]);
  });

  // Neither is easy to cause for real: SQLITE_TOOBIG needs a value past SQLITE_MAX_LENGTH (1 GB by default), and
  // SQLITE_MISMATCH a column these tables do not have. The driver's error is made to order instead.
  it.each([
    ["SQLITE_TOOBIG", "The todo is too large to store."],
    ["SQLITE_MISMATCH", "The todo has a value the store cannot hold."],
  ])("reports a todo the store refuses with %s, naming the kind of problem", async (code, reason) => {
    const todo = aTodo();
    failPreparing(
      database,
      (sql) => sql.startsWith("INSERT"),
      () => new Database.SqliteError("refused", code),
    );

    const result = await repository.putMany([todo]);

    expect(result.failed).toEqual([{ id: todo.id, reason }]);
  });

  it("fails a whole batch the store, not a todo, broke, rather than writing it again one by one", async () => {
    const todos = [aTodo(), aTodo()];
    failPreparing(
      database,
      (sql) => sql.startsWith("INSERT"),
      () => new Database.SqliteError("disk I/O error", "SQLITE_IOERR"),
      1,
    );

    const attempt = repository.putMany(todos);

    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await repository.get(todos[0]!.id)).toBeUndefined();
  });

  it("fails the whole call when the store breaks while the todos are written one by one", async () => {
    const broken = { ...aTodo(), task: null } as unknown as Todo;
    const oneRow = (sql: string) => sql.startsWith("INSERT") && sql.split("(?").length === 2;
    failPreparing(database, oneRow, () => new Database.SqliteError("disk I/O error", "SQLITE_IOERR"));

    const attempt = repository.putMany([aTodo(), broken]);

    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("refuses to run a statement it already prepared once the database is closed", async () => {
    const todo = aTodo();
    await repository.create(todo);
    expect(await repository.get(todo.id)).toEqual(todo);
    database.close();

    const attempts = [repository.get(todo.id), repository.create(aTodo()), repository.putMany([aTodo()])];

    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("fails a whole batch with StoreUnavailableError when the store, not a todo, is at fault", async () => {
    database.close();

    const attempt = repository.putMany([aTodo()]);

    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

// Another process writing (a `todo import`'s batch, a sqlite3 shell inside a transaction) holds the write lock:
// here a second connection in this process, which can only let go if this process's thread is not held up.
describe("SqliteTodoRepository while another connection holds the write lock", () => {
  let directory: string;
  let database: SqliteDatabase;
  let other: InstanceType<typeof Database>;

  async function openStore(busyTimeoutMs: number): Promise<SqliteTodoRepository> {
    directory = await mkdtemp(join(tmpdir(), "anycloud-sqlite-lock-"));
    const path = join(directory, "todos.db");
    database = await openSqliteDatabase({ url: pathToFileURL(path).href, busyTimeoutMs });
    other = new Database(path);
    return new SqliteTodoRepository(database);
  }

  afterEach(async () => {
    if (other.inTransaction) other.exec("ROLLBACK");
    other.close();
    if (database.open) database.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("waits for it without holding up the process: reads are answered meanwhile, and the write goes in once it is let go", async () => {
    // Long enough for no write to give up here, where it waits a few turns of the event loop at most.
    const repository = await openStore(2_000);
    const existing = aTodo();
    await repository.create(existing);
    other.exec("BEGIN IMMEDIATE");

    const outcomes: string[] = [];
    const todo = aTodo();
    const writes = [
      repository.create(todo),
      repository.putMany([aTodo(), aTodo()]),
      repository.update({ ...existing, task: "edited", version: 2 }, 1),
    ].map((write, index) =>
      write.then(
        () => outcomes.push(`write ${index} done`),
        (error: unknown) => outcomes.push(`write ${index} failed: ${(error as Error).message}`),
      ),
    );
    outcomes.push(`read ${(await repository.get(existing.id))?.task}`);
    other.exec("COMMIT");
    await Promise.all(writes);

    expect(outcomes).toEqual([`read ${existing.task}`, "write 0 done", "write 1 done", "write 2 done"]);
    expect(await repository.get(todo.id)).toEqual(todo);
    expect((await repository.get(existing.id))?.task).toBe("edited");
  });

  it("writes an empty batch without waiting for the lock", async () => {
    const repository = await openStore(20);
    other.exec("BEGIN IMMEDIATE");

    const result = await repository.putMany([]);

    expect(result).toEqual({ failed: [] });
  });

  it("fails a write as unavailable once the busy timeout has passed, having changed nothing", async () => {
    const repository = await openStore(20);
    other.exec("BEGIN IMMEDIATE");

    const todo = aTodo();
    const error = await repository.create(todo).catch((caught: unknown) => caught);
    other.exec("COMMIT");

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(((error as StoreUnavailableError).cause as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
    expect(await repository.get(todo.id)).toBeUndefined();
  });

  // As when `todo import` gave up on a lock: core records the import FAILED through the ledger, on the same
  // connection, and the CLI then closes the database with a checkpoint.
  it("leaves nothing in progress after a write that gave up: the ledger's next write commits, and closing checkpoints", async () => {
    const repository = await openStore(20);
    const ledger = new SqliteImportLedger(database);
    other.exec("BEGIN IMMEDIATE");
    await expect(repository.putMany([aTodo()])).rejects.toBeInstanceOf(StoreUnavailableError);
    other.exec("COMMIT");

    const claim = { importId: "i-1", source: { container: "c", key: "k" } };
    const claimed = await ledger.claim({ ...claim, now: instant(0), leaseExpiresAt: instant(60) });
    closeSqliteDatabase(database);

    expect(claimed.claimed).toBe(true);
    expect(other.prepare("SELECT status FROM imports WHERE import_id = ?").raw().get(["i-1"])).toEqual([
      "RUNNING",
    ]);
  });
});

/** Makes `prepare` throw `error()` for the statements `matches` picks, `times` times. */
function failPreparing(
  database: SqliteDatabase,
  matches: (sql: string) => boolean,
  error: () => Error,
  times = Number.POSITIVE_INFINITY,
): void {
  const prepare = database.prepare.bind(database);
  let left = times;
  vi.spyOn(database, "prepare").mockImplementation((sql: string) => {
    if (!matches(sql) || left <= 0) return prepare(sql);
    left--;
    throw error();
  });
}

/** Makes the listing's statements hand their page's rows back last first. */
function reversePages(database: SqliteDatabase): void {
  const prepare = database.prepare.bind(database);
  const pages: string[] = Object.values(LIST_STATEMENTS);
  vi.spyOn(database, "prepare").mockImplementation((sql: string) => {
    const statement = prepare(sql);
    if (!pages.includes(sql)) return statement;
    const get = statement.get.bind(statement);
    statement.get = (...args: unknown[]) => {
      const [page] = get(...args) as [string];
      return [JSON.stringify((JSON.parse(page) as unknown[]).reverse())];
    };
    return statement;
  });
}

function instant(seconds: number): string {
  return new Date(Date.UTC(2030, 0, 1) + seconds * 1000).toISOString();
}
