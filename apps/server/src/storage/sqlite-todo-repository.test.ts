import { randomUUID } from "node:crypto";
import { comparePositions, positionOf, StoreUnavailableError, type Todo } from "@anycloud/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aTodo } from "../../../../test/support/todos.js";
import { openSqliteDatabase, type SqliteDatabase } from "./sqlite-database.js";
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
    expect((error as StoreUnavailableError).cause).toBeInstanceOf(Error);
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

function instant(seconds: number): string {
  return new Date(Date.UTC(2030, 0, 1) + seconds * 1000).toISOString();
}
