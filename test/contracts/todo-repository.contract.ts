import { randomUUID } from "node:crypto";
import {
  InvalidCursorError,
  type Todo,
  TodoAlreadyExistsError,
  TodoNotFoundError,
  type TodoRepository,
  VersionConflictError,
} from "@anycloud/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aTodo, listAll, sortById } from "../support/todos.js";
import { checkAgainstModel } from "./todo-repository.model.js";

export interface TodoRepositoryFixture {
  repository: TodoRepository;
  dispose?: () => Promise<void>;
}

/**
 * The behaviour every `TodoRepository` promises. Each test gets a fresh, empty repository from
 * `makeRepository`, disposed after it.
 *
 * @example
 * describeTodoRepositoryContract("InMemoryTodoRepository", async () => ({ repository: new InMemoryTodoRepository() }));
 */
export function describeTodoRepositoryContract(
  name: string,
  makeRepository: () => Promise<TodoRepositoryFixture>,
  /** How many random runs the model check makes: fewer for a store whose calls are slow. */
  { modelRuns = 100 }: { modelRuns?: number } = {},
): void {
  describe(`${name} (TodoRepository contract)`, () => {
    let repository: TodoRepository;
    let dispose: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ repository, dispose } = await makeRepository());
    });

    afterEach(async () => {
      await dispose?.();
    });

    describe("create and get", () => {
      it("returns an equal copy of a created todo", async () => {
        const todo = aTodo({ name: "Ada", dueDate: "2030-02-03", checked: true });

        await repository.create(todo);
        const stored = await repository.get(todo.id);

        expect(stored).toEqual(todo);
        expect(stored).not.toBe(todo);
      });

      it("keeps the stored todo when the caller mutates what it passed in or got back", async () => {
        const todo = aTodo({ task: "original" });
        await repository.create(todo);

        todo.task = "changed after create";
        const first = await repository.get(todo.id);
        first!.task = "changed after get";
        const second = await repository.get(todo.id);

        expect(second?.task).toBe("original");
      });

      it("refuses to create a todo whose id is taken, and keeps the first one", async () => {
        const first = aTodo({ task: "first" });
        await repository.create(first);

        const attempt = repository.create(aTodo({ id: first.id, task: "second" }));

        await expect(attempt).rejects.toBeInstanceOf(TodoAlreadyExistsError);
        expect(await repository.get(first.id)).toEqual(first);
      });

      it("refuses to create a todo twice, even with the same values", async () => {
        const todo = aTodo();
        await repository.create(todo);

        const again = repository.create({ ...todo });

        await expect(again).rejects.toBeInstanceOf(TodoAlreadyExistsError);
      });

      it("returns undefined for an id it does not hold", async () => {
        const stored = await repository.get(randomUUID());

        expect(stored).toBeUndefined();
      });

      it("round-trips a null name and a null due date as null", async () => {
        const todo = aTodo({ name: null, dueDate: null, checked: false });

        await repository.create(todo);
        const stored = await repository.get(todo.id);

        expect(stored?.name).toBeNull();
        expect(stored?.dueDate).toBeNull();
        expect(stored).toEqual(todo);
      });

      it("round-trips emoji, CJK and right-to-left text exactly", async () => {
        const todo = aTodo({
          task: "Buy 🍎 and 牛奶 — اشترِ الحليب — קנה חלב 👩‍👩‍👧‍👦 café",
          name: "山田 太郎 🧑🏽‍💻 مريم",
        });

        await repository.create(todo);
        const stored = await repository.get(todo.id);

        expect(stored?.task).toBe(todo.task);
        expect(stored?.name).toBe(todo.name);
      });

      // The todo schema refuses control characters, but a store gives back what it was given, whoever gave it.
      it("round-trips NUL and other control characters beside 4-byte characters, by get and by list", async () => {
        const todo = aTodo({ task: "a\u0000b\u0000🍎\u0000\u0001\u001f😀\u0000", name: "\u0000Zoë\u0000🦄" });

        await repository.create(todo);
        const stored = await repository.get(todo.id);
        const listed = (await repository.list({ limit: 10 })).items;

        expect(stored).toEqual(todo);
        expect(listed).toEqual([todo]);
      });

      it("round-trips a task of 500 characters", async () => {
        const characters = [..."aé牛🍎"];
        const task = Array.from({ length: 500 }, (_, index) => characters[index % 4]).join("");
        const todo = aTodo({ task });

        await repository.create(todo);
        const stored = await repository.get(todo.id);

        expect([...task]).toHaveLength(500);
        expect(stored?.task).toBe(task);
      });
    });

    describe("update", () => {
      it("replaces the todo when the expected version is the stored one", async () => {
        const todo = aTodo({ version: 1 });
        await repository.create(todo);
        // Each field a PATCH may change is changed, the due date included.
        const changed: Todo = {
          ...todo,
          task: "changed",
          name: null,
          dueDate: "2031-03-04",
          checked: true,
          updatedAt: "2030-01-02T00:00:00.000Z",
          version: 2,
        };

        await repository.update(changed, 1);

        expect(await repository.get(todo.id)).toEqual(changed);
      });

      it("throws VersionConflictError for a stale version and changes nothing", async () => {
        const todo = aTodo({ version: 3 });
        await repository.create(todo);

        const attempt = repository.update({ ...todo, task: "changed", version: 3 }, 2);

        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        expect(await repository.get(todo.id)).toEqual(todo);
      });

      it("throws TodoNotFoundError for an id it does not hold", async () => {
        const attempt = repository.update(aTodo({ version: 2 }), 1);

        await expect(attempt).rejects.toBeInstanceOf(TodoNotFoundError);
      });
    });

    describe("delete", () => {
      it("deletes a todo at the expected version", async () => {
        const todo = aTodo({ version: 2 });
        await repository.create(todo);

        await repository.delete(todo.id, 2);

        expect(await repository.get(todo.id)).toBeUndefined();
      });

      it("deletes a todo whatever its version when no version is expected", async () => {
        const todo = aTodo({ version: 7 });
        await repository.create(todo);

        await repository.delete(todo.id);

        expect(await repository.get(todo.id)).toBeUndefined();
      });

      it("throws VersionConflictError for a stale version and keeps the todo", async () => {
        const todo = aTodo({ version: 2 });
        await repository.create(todo);

        const attempt = repository.delete(todo.id, 1);

        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        expect(await repository.get(todo.id)).toEqual(todo);
      });

      it("throws TodoNotFoundError for an id it does not hold, with or without a version", async () => {
        const id = randomUUID();

        await expect(repository.delete(id)).rejects.toBeInstanceOf(TodoNotFoundError);
        await expect(repository.delete(id, 1)).rejects.toBeInstanceOf(TodoNotFoundError);
      });

      it("lets a deleted id be created again", async () => {
        const todo = aTodo();
        await repository.create(todo);
        await repository.delete(todo.id);

        await repository.create({ ...todo, task: "again" });

        expect((await repository.get(todo.id))?.task).toBe("again");
      });
    });

    describe("list", () => {
      it("gives an empty page without a cursor when the store is empty", async () => {
        const page = await repository.list({ limit: 10 });

        expect(page).toEqual({ items: [] });
      });

      it.each([7, 10, 100])("visits every todo exactly once in pages of %i", async (limit) => {
        const todos = fiftyThreeTodos();
        for (const todo of todos) await repository.create(todo);

        const pages = await listAll(repository, limit);
        const items = pages.flatMap((page) => page.items);

        expect(items).toHaveLength(todos.length);
        expect(new Set(items.map((todo) => todo.id)).size).toBe(todos.length);
        expect(sortById(items)).toEqual(sortById(todos));
        for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(limit);
        expect(pages.at(-1)?.nextCursor).toBeUndefined();
        expect(pages.at(-1)?.items.length).toBeGreaterThan(0);
      });

      it("visits the todos in the same order when the listing is repeated", async () => {
        for (const todo of fiftyThreeTodos()) await repository.create(todo);

        const first = (await listAll(repository, 10)).flatMap((page) => page.items.map((todo) => todo.id));
        const second = (await listAll(repository, 10)).flatMap((page) => page.items.map((todo) => todo.id));

        expect(second).toEqual(first);
      });

      it("ends without an empty page when the number of todos is a multiple of the limit", async () => {
        for (let index = 0; index < 10; index++) await repository.create(aTodo());

        const pages = await listAll(repository, 5);

        expect(pages.map((page) => page.items.length)).toEqual([5, 5]);
        expect(pages[1]?.nextCursor).toBeUndefined();
      });

      it("lists the stored values, including updates made between pages", async () => {
        const todos = fiftyThreeTodos();
        for (const todo of todos) await repository.create(todo);
        const firstPage = await repository.list({ limit: 10 });
        const later = todos.find((todo) => !firstPage.items.some((item) => item.id === todo.id))!;
        const changed: Todo = { ...later, task: "changed between pages", version: later.version + 1 };

        await repository.update(changed, later.version);
        const rest = await listAll(repository, 10, firstPage.nextCursor);

        expect(rest.flatMap((page) => page.items).find((todo) => todo.id === later.id)).toEqual(changed);
      });

      it.each(["not-a-cursor", "[1,2]"])("throws InvalidCursorError for the cursor %s", async (cursor) => {
        await repository.create(aTodo());

        const attempt = repository.list({ limit: 10, cursor });

        await expect(attempt).rejects.toBeInstanceOf(InvalidCursorError);
      });
    });

    describe("against a model", () => {
      it("answers random operations as a map of todos would, with listings paged across them", async () => {
        await checkAgainstModel(makeRepository, modelRuns);
      });
    });

    describe("putMany", () => {
      it("prefers a positive whole number of items per call", () => {
        expect(Number.isInteger(repository.preferredBatchSize)).toBe(true);
        expect(repository.preferredBatchSize).toBeGreaterThan(0);
      });

      it("writes 1,234 todos that a listing then finds, equal to what was put", async () => {
        const todos = Array.from({ length: 1234 }, (_, index) =>
          aTodo({ createdAt: timestamp(index % 100) }),
        );

        const results = await putInBatches(repository, todos);
        const listed = (await listAll(repository, 100)).flatMap((page) => page.items);

        expect(results.flatMap((result) => result.failed)).toEqual([]);
        expect(sortById(listed)).toEqual(sortById(todos));
      });

      it("returns no failures when every todo was written", async () => {
        const result = await repository.putMany([aTodo(), aTodo(), aTodo()]);

        expect(result).toEqual({ failed: [] });
      });

      it("accepts an empty batch", async () => {
        const result = await repository.putMany([]);

        expect(result).toEqual({ failed: [] });
        expect((await repository.list({ limit: 10 })).items).toEqual([]);
      });

      it("upserts idempotently: putting the same ids twice leaves one todo each, with the second values", async () => {
        const first = Array.from({ length: 30 }, () => aTodo({ task: "first", version: 1 }));
        // Every field but the id changed, so that a store keeping any of the first values fails.
        const second = first.map((todo) => ({
          ...todo,
          task: "second",
          checked: true,
          name: null,
          dueDate: "2031-07-15",
          createdAt: "2030-02-01T00:00:00.000Z",
          updatedAt: "2030-02-02T00:00:00.000Z",
          version: 4,
        }));

        await repository.putMany(first);
        await repository.putMany(second);
        const listed = (await listAll(repository, 100)).flatMap((page) => page.items);

        expect(sortById(listed)).toEqual(sortById(second));
      });

      it("overwrites a todo that was created, whatever its version", async () => {
        const created = aTodo({ task: "created", version: 5 });
        await repository.create(created);
        const put = { ...created, task: "put", version: 1 };

        const result = await repository.putMany([put]);

        expect(result.failed).toEqual([]);
        expect(await repository.get(created.id)).toEqual(put);
      });

      it("with keepExisting, writes only the todos whose id is free, leaving the others as they are", async () => {
        const edited = aTodo({ task: "edited since", version: 2 });
        await repository.create(edited);
        const fresh = aTodo({ task: "new" });
        const again = { ...edited, task: "as first written", version: 1 };

        const result = await repository.putMany([again, fresh], { keepExisting: true });

        expect(result).toEqual({ failed: [] });
        expect(await repository.get(edited.id)).toEqual(edited);
        expect(await repository.get(fresh.id)).toEqual(fresh);
      });

      it("round-trips null fields and unicode text", async () => {
        const todos = [
          aTodo({ name: null, dueDate: null }),
          aTodo({
            task: "写作业 📚 — כתוב שיעורי בית",
            name: "Zoë 🦄",
            dueDate: "2031-12-31",
            checked: true,
          }),
        ];

        await repository.putMany(todos);

        for (const todo of todos) expect(await repository.get(todo.id)).toEqual(todo);
      });
    });
  });
}

/** An ISO instant `seconds` after a fixed origin. */
function timestamp(seconds: number): string {
  return new Date(Date.UTC(2030, 0, 1) + seconds * 1000).toISOString();
}

/** 53 todos over 20 distinct creation times, so that many share one and only the id orders them. */
function fiftyThreeTodos(): Todo[] {
  return Array.from({ length: 53 }, (_, index) => {
    const createdAt = timestamp((index * 7) % 20);
    return aTodo({ task: `todo ${index}`, createdAt, updatedAt: createdAt });
  });
}

async function putInBatches(repository: TodoRepository, todos: readonly Todo[]) {
  const results = [];
  for (let start = 0; start < todos.length; start += repository.preferredBatchSize) {
    results.push(await repository.putMany(todos.slice(start, start + repository.preferredBatchSize)));
  }
  return results;
}
