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

/** A store that keeps the options of each putMany call, in `seen`. */
function recordingOptions(): { repository: TodoRepository; seen: PutManyOptions[] } {
  const seen: PutManyOptions[] = [];
  const repository = {
    ...new InMemoryTodoRepository(),
    preferredBatchSize: 10,
    putMany: async (_: readonly Todo[], options: PutManyOptions = {}): Promise<PutManyResult> => {
      seen.push(options);
      return { failed: [] };
    },
  } as TodoRepository;
  return { repository, seen };
}

/** What the tally adds up to, as a FAILED import's report. */
const reportOf = (tally: ImportTally) =>
  tally.report({
    importId: "i",
    source: { container: "c", key: "k" },
    status: "FAILED",
    startedAt: new Date(0),
    finishedAt: new Date(0),
    note: undefined,
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
    const { repository, seen } = recordingOptions();
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
    const report = reportOf(tally);
    expect(report).toMatchObject({ imported: 1, failed: 1 });
    expect(report.errors).toEqual([{ line: 7, reason: "not saved: throttled" }]);
  });

  it("tells the store nothing of keepExisting unless asked to", async () => {
    const { repository, seen } = recordingOptions();
    const batch = new TodoBatch(repository, new ImportTally(10));

    batch.add(todo("a"), 2);
    await batch.write();

    expect(seen).toEqual([{}]);
  });

  it("counts a batch the store failed on as failed, by its first line, and passes the error on", async () => {
    const failure = new Error("store unavailable");
    let calls = 0;
    const repository = {
      ...new InMemoryTodoRepository(),
      preferredBatchSize: 2,
      putMany: async (_: readonly Todo[]): Promise<PutManyResult> => {
        calls += 1;
        if (calls === 2) throw failure;
        return { failed: [] };
      },
    } as TodoRepository;
    const tally = new ImportTally(10);
    const batch = new TodoBatch(repository, tally);
    batch.add(todo("a"), 2);
    batch.add(todo("b"), 3);
    await batch.write();
    // The second batch starts on its own first line, not the first batch's.
    batch.add(todo("c"), 5);
    batch.add(todo("d"), 8);

    await expect(batch.write()).rejects.toBe(failure);
    const report = reportOf(tally);
    expect(report).toMatchObject({ imported: 2, failed: 2 });
    expect(report.errors).toEqual([
      { line: 5, reason: "not confirmed saved: the store failed while writing the 2 rows from this line on" },
    ]);
  });

  it("counts the todos still waiting as failed when abandoned, by their first line, and empties the batch", async () => {
    const written: Todo[][] = [];
    const repository = {
      ...new InMemoryTodoRepository(),
      preferredBatchSize: 10,
      putMany: async (todos: readonly Todo[]): Promise<PutManyResult> => {
        written.push([...todos]);
        return { failed: [] };
      },
    } as TodoRepository;
    const tally = new ImportTally(10);
    const batch = new TodoBatch(repository, tally);

    batch.abandon();
    batch.add(todo("a"), 4);
    batch.add(todo("b"), 6);
    batch.abandon();
    batch.add(todo("c"), 9);
    batch.abandon();

    expect(await batch.write()).toBe(false);
    expect(written).toEqual([]);
    const report = reportOf(tally);
    expect(report).toMatchObject({ imported: 0, failed: 3 });
    expect(report.errors).toEqual([
      { line: 4, reason: "not saved: the import stopped before the 2 rows from this line on were written" },
      { line: 9, reason: "not saved: the import stopped before the 1 rows from this line on were written" },
    ]);
  });
});
