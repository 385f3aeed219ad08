import { describe, expect, it } from "vitest";
import { testTodo } from "../test-support/todos.js";
import { InMemoryTodoRepository } from "./in-memory-todo-repository.js";

describe("InMemoryTodoRepository", () => {
  it("lists a todo written again with another creation time at its new place, not where it was listed before", async () => {
    const todos = new InMemoryTodoRepository();
    const first = testTodo(1, { createdAt: "2026-01-01T00:00:00.000Z" });
    const second = testTodo(2, { createdAt: "2026-01-02T00:00:00.000Z" });
    await todos.putMany([first, second]);
    expect((await todos.list({ limit: 10 })).items.map((todo) => todo.id)).toEqual([first.id, second.id]);

    // An import that writes the todo again from a later file, say.
    await todos.putMany([{ ...first, createdAt: "2026-01-03T00:00:00.000Z" }]);

    expect((await todos.list({ limit: 10 })).items.map((todo) => todo.id)).toEqual([second.id, first.id]);
  });
});
