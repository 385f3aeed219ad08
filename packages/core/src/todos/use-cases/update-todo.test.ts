import { describe, expect, it } from "vitest";
import type { Clock } from "../../shared/clock.js";
import { StoreUnavailableError } from "../../shared/errors.js";
import { VersionConflictError, VersionRefusedError } from "../errors.js";
import { InMemoryTodoRepository } from "../in-memory-todo-repository.js";
import type { Todo } from "../todo.js";
import { UpdateTodo } from "./update-todo.js";

const clock: Clock = { now: () => new Date("2026-02-03T04:05:06.000Z") };
const stored: Todo = {
  id: "0b6c4f1e-9a57-4d2b-8e3c-5f7a1d9c2b64",
  task: "Water the plants",
  name: null,
  dueDate: null,
  checked: false,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  version: 1,
};

/** A store where another writer wins the race `conflicts` times: each of our writes meets a newer version. */
class RacedRepository extends InMemoryTodoRepository {
  constructor(private conflicts: number) {
    super();
  }

  override async update(todo: Todo, expectedVersion: number): Promise<void> {
    if (this.conflicts > 0) {
      this.conflicts -= 1;
      const current = (await this.get(todo.id))!;
      // The other writer's change lands first.
      await super.update({ ...current, name: "Other writer", version: current.version + 1 }, current.version);
    }
    return super.update(todo, expectedVersion);
  }
}

/** A store whose next update fails as an unreachable store's would. */
class FailingOnceRepository extends InMemoryTodoRepository {
  private failed = false;

  override async update(todo: Todo, expectedVersion: number): Promise<void> {
    if (!this.failed) {
      this.failed = true;
      throw new StoreUnavailableError("The store did not answer.");
    }
    return super.update(todo, expectedVersion);
  }
}

describe("UpdateTodo", () => {
  it("without a precondition, tries a failing store once: only a lost race is tried again", async () => {
    const todos = new FailingOnceRepository();
    await todos.create(stored);

    await expect(new UpdateTodo(todos, clock).execute(stored.id, { checked: true })).rejects.toThrow(
      StoreUnavailableError,
    );
    expect(await todos.get(stored.id)).toEqual(stored);
  });

  it("says whether If-None-Match refused the todo's version or, with *, the todo itself", async () => {
    const todos = new InMemoryTodoRepository();
    await todos.create(stored);
    const update = new UpdateTodo(todos, clock);

    await expect(update.execute(stored.id, { checked: true }, { refusedVersions: "*" })).rejects.toThrow(
      /exists, and If-None-Match: \* asks that it not/,
    );
    await expect(update.execute(stored.id, { checked: true }, { refusedVersions: [1] })).rejects.toThrow(
      /is at version 1, which the If-None-Match header names/,
    );
  });

  it("without a precondition, reads again and applies the patch over a concurrent write", async () => {
    const todos = new RacedRepository(2);
    await todos.create(stored);

    const updated = await new UpdateTodo(todos, clock).execute(stored.id, { checked: true });

    expect(updated).toMatchObject({ checked: true, name: "Other writer", version: 4 });
    expect(await todos.get(stored.id)).toEqual(updated);
  });

  it("gives up with a version conflict after three attempts lost to concurrent writes", async () => {
    const todos = new RacedRepository(3);
    await todos.create(stored);

    await expect(new UpdateTodo(todos, clock).execute(stored.id, { checked: true })).rejects.toThrow(
      VersionConflictError,
    );
    // Three attempts, each lost to the other writer (versions 2, 3 and 4 are its), and none applied.
    expect(await todos.get(stored.id)).toMatchObject({ name: "Other writer", checked: false, version: 4 });
  });

  it("with only an If-None-Match, checks it again on each attempt: a concurrent write to a refused version stops it", async () => {
    const todos = new RacedRepository(1);
    await todos.create(stored);

    await expect(
      new UpdateTodo(todos, clock).execute(stored.id, { checked: true }, { refusedVersions: [2] }),
    ).rejects.toThrow(VersionRefusedError);
    expect(await todos.get(stored.id)).toMatchObject({ name: "Other writer", checked: false, version: 2 });
  });

  // Accepting versions [1, 2], the If-Match would also take the version the concurrent write left: still no retry.
  it.each([
    [[1], "the version it named is gone"],
    [[1, 2], "even when it also accepts the version left"],
  ])("with If-Match %j, does not retry after a concurrent write: %s", async (acceptedVersions) => {
    const todos = new RacedRepository(1);
    await todos.create(stored);

    await expect(
      new UpdateTodo(todos, clock).execute(stored.id, { checked: true }, { acceptedVersions }),
    ).rejects.toThrow(VersionConflictError);
    expect(await todos.get(stored.id)).toMatchObject({ name: "Other writer", checked: false, version: 2 });
  });
});
