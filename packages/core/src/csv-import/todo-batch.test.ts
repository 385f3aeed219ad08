import { describe, expect, it } from "vitest";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import type { PutManyOptions, PutManyResult, TodoRepository } from "../todos/ports/todo-repository.js";
import type { Todo } from "../todos/todo.js";
import { ImportTally } from "./import-tally.js";
import { TodoBatch } from "./todo-batch.js";

const todo = (id: string): Todo => ({
  id,
  task: `task ${id}`,
  name: null,
  dueDate: null,
  checked: false,
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-01T00:00:00.000Z",
  version: 1,
});

describe("TodoBatch", () => {
  it("is full at the repository's preferred batch size", () => {
    const repository = Object.assign(new InMemoryTodoRepository(), {
      preferredBatchSize: 2,
    }) as TodoRepository;
    const batch = new TodoBatch(repository, new ImportTally(10));

    expect(batch.add(todo("a"), 2)).toBe(false);
    expect(batch.add(todo("b"), 3)).toBe(true);
  });

  it("hands the store the import's signal, and keepExisting for a later attempt", async () => {
    const seen: PutManyOptions[] = [];
    const repository = {
      ...new InMemoryTodoRepository(),
      preferredBatchSize: 10,
      putMany: async (_: readonly Todo[], options: PutManyOptions = {}): Promise<PutManyResult> => {
        seen.push(options);
        return { failed: [] };
      },
    } as TodoRepository;
    const { signal } = new AbortController();
    const first = new TodoBatch(repository, new ImportTally(10), false, signal);
    const retry = new TodoBatch(repository, new ImportTally(10), true, signal);

    first.add(todo("a"), 2);
    await first.write();
    retry.add(todo("a"), 2);
    await retry.write();

    expect(seen).toEqual([{ signal }, { keepExisting: true, signal }]);
  });

  it("counts what was written and reports what failed by the line it came from", async () => {
    const store = new InMemoryTodoRepository();
    const repository = {
      ...store,
      preferredBatchSize: 10,
      putMany: async (todos: readonly Todo[]): Promise<PutManyResult> => {
        await store.putMany(todos.filter((item) => item.id !== "b"));
        return { failed: [{ id: "b", reason: "throttled" }] };
      },
    } as TodoRepository;
    const tally = new ImportTally(10);
    const batch = new TodoBatch(repository, tally);
    batch.add(todo("a"), 2);
    batch.add(todo("b"), 7);

    expect(await batch.write()).toBe(true);
    expect(await batch.write()).toBe(false);
    const report = tally.report({
      importId: "i",
      source: { container: "c", key: "k" },
      status: "FAILED",
      startedAt: new Date(0),
      finishedAt: new Date(0),
      note: undefined,
    });
    expect(report).toMatchObject({ imported: 1, failed: 1 });
    expect(report.errors).toEqual([{ line: 7, reason: "not saved: throttled" }]);
  });
});
