import { randomUUID } from "node:crypto";
import { comparePositions, positionOf, StoreUnavailableError, type Todo } from "@anycloud/core";
import type { Client } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteDatabase } from "./sqlite-database.js";
import { SqliteTodoRepository } from "./sqlite-todo-repository.js";

// The behaviour every repository shares is in test/contracts; these tests are about SQLite itself.
describe("SqliteTodoRepository", () => {
  let client: Client;
  let repository: SqliteTodoRepository;

  beforeEach(async () => {
    client = await openSqliteDatabase({ url: ":memory:" });
    repository = new SqliteTodoRepository(client);
  });

  afterEach(() => {
    client.close();
  });

  it("lists todos by creation time, then id", async () => {
    const todos = Array.from({ length: 40 }, (_, index) => aTodo({ createdAt: instant(index % 6) }));
    await repository.putMany(todos);

    const first = await repository.list({ limit: 25 });
    const second = await repository.list({ limit: 25, cursor: first.nextCursor! });

    const expected = [...todos].sort((a, b) => comparePositions(positionOf(a), positionOf(b)));
    expect([...first.items, ...second.items]).toEqual(expected);
  });

  it("pages through the (created_at, id) index rather than sorting the table", async () => {
    const plan = await client.execute(
      "EXPLAIN QUERY PLAN SELECT * FROM todos WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT 11",
      ["2030-01-01T00:00:00.000Z", randomUUID()],
    );

    const details = plan.rows.map((row) => String(row.detail)).join("\n");
    expect(details).toContain("todos_by_position");
    expect(details).not.toContain("TEMP B-TREE");
  });

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
  });

  it("wraps a driver failure in StoreUnavailableError, with the driver's error as cause", async () => {
    client.close();

    const error = await repository.get(randomUUID()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).cause).toBeInstanceOf(Error);
  });

  it("fails a whole batch with StoreUnavailableError when the store, not a todo, is at fault", async () => {
    client.close();

    const attempt = repository.putMany([aTodo()]);

    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

function aTodo(overrides: Partial<Todo> = {}): Todo {
  return {
    id: randomUUID(),
    task: "Feed the cat",
    name: null,
    dueDate: null,
    checked: false,
    createdAt: instant(0),
    updatedAt: instant(0),
    version: 1,
    ...overrides,
  };
}

function instant(seconds: number): string {
  return new Date(Date.UTC(2030, 0, 1) + seconds * 1000).toISOString();
}
