import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../shared/errors.js";
import { testTodo } from "../../test-support/todos.js";
import { TodoNotFoundError, VersionConflictError, VersionRefusedError } from "../errors.js";
import { InMemoryTodoRepository } from "../in-memory-todo-repository.js";
import { DeleteTodo } from "./delete-todo.js";

const stored = testTodo(1);

/** A store where another writer changes the todo `writes` times, each just before our conditional delete. */
class RacedRepository extends InMemoryTodoRepository {
  constructor(private writes: number) {
    super();
  }

  override async delete(id: string, expectedVersion?: number): Promise<void> {
    if (this.writes > 0) {
      this.writes -= 1;
      const current = (await this.get(id))!;
      await super.update({ ...current, name: "Other writer", version: current.version + 1 }, current.version);
    }
    return super.delete(id, expectedVersion);
  }
}

/** A store whose next delete fails as an unreachable store's would. */
class FailingOnceRepository extends InMemoryTodoRepository {
  private failed = false;

  override async delete(id: string, expectedVersion?: number): Promise<void> {
    if (!this.failed) {
      this.failed = true;
      throw new StoreUnavailableError("The store did not answer.");
    }
    return super.delete(id, expectedVersion);
  }
}

describe("DeleteTodo", () => {
  it("without a precondition, deletes the todo whatever concurrent writes come first", async () => {
    const todos = new RacedRepository(3);
    await todos.create(stored);

    await new DeleteTodo(todos).execute(stored.id);

    expect(await todos.get(stored.id)).toBeUndefined();
  });

  it("with only an If-None-Match, gives up with a version conflict after three attempts lost to concurrent writes", async () => {
    const todos = new RacedRepository(3);
    await todos.create(stored);

    await expect(new DeleteTodo(todos).execute(stored.id, { refusedVersions: [99] })).rejects.toThrow(
      VersionConflictError,
    );
    expect(await todos.get(stored.id)).toMatchObject({ version: 4 });
  });

  it("with only an If-None-Match, answers an unknown todo as not found", async () => {
    await expect(
      new DeleteTodo(new InMemoryTodoRepository()).execute(stored.id, { refusedVersions: [1] }),
    ).rejects.toThrow(TodoNotFoundError);
  });

  it("tries a failing store once: only a lost race is tried again", async () => {
    const todos = new FailingOnceRepository();
    await todos.create(stored);

    await expect(new DeleteTodo(todos).execute(stored.id, { refusedVersions: [99] })).rejects.toThrow(
      StoreUnavailableError,
    );
    expect(await todos.get(stored.id)).toMatchObject({ version: 1 });
  });

  it("with only an If-None-Match, checks the version a concurrent write left, and deletes it", async () => {
    const todos = new RacedRepository(1);
    await todos.create(stored);

    await new DeleteTodo(todos).execute(stored.id, { refusedVersions: [7] });

    expect(await todos.get(stored.id)).toBeUndefined();
  });

  it("with only an If-None-Match, refuses the version a concurrent write left when the header names it", async () => {
    const todos = new RacedRepository(1);
    await todos.create(stored);

    const refusal = await new DeleteTodo(todos)
      .execute(stored.id, { refusedVersions: [2] })
      .catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(VersionRefusedError);
    expect((refusal as Error).message).toMatch(/at version 2, which the If-None-Match header names/);
    expect(await todos.get(stored.id)).toMatchObject({ version: 2 });
  });

  // Accepting versions [1, 2], the If-Match would also take the version the concurrent write left: still no retry.
  it.each([
    [[1, 3], "the version it accepted is gone"],
    [[1, 2], "even when it also accepts the version left"],
  ])(
    "with If-Match %j, reports the conflict a concurrent write makes, without trying again: %s",
    async (acceptedVersions) => {
      const todos = new RacedRepository(1);
      await todos.create(stored);

      await expect(new DeleteTodo(todos).execute(stored.id, { acceptedVersions })).rejects.toThrow(
        VersionConflictError,
      );
      expect(await todos.get(stored.id)).toMatchObject({ version: 2 });
    },
  );

  it("says that If-None-Match: * refuses a todo that exists, not a version named", async () => {
    const todos = new InMemoryTodoRepository();
    await todos.create(stored);

    await expect(new DeleteTodo(todos).execute(stored.id, { refusedVersions: "*" })).rejects.toThrow(
      /exists, and If-None-Match: \* asks that it not/,
    );
  });
});
