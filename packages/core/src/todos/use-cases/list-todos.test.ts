import { describe, expect, it } from "vitest";
import { testTodos } from "../../test-support/todos.js";
import { CursorCodec } from "../cursor-codec.js";
import { InMemoryTodoRepository } from "../in-memory-todo-repository.js";
import { ListTodos } from "./list-todos.js";

async function listOf(count: number) {
  const todos = new InMemoryTodoRepository();
  const stored = testTodos(count);
  await todos.putMany(stored);
  return { list: new ListTodos(todos, new CursorCodec("a secret of at least sixteen bytes")), stored };
}

describe("ListTodos.first", () => {
  it("reads no more than the count asked for, under one page, and signs where the rest goes on", async () => {
    const { list, stored } = await listOf(5);

    const firstThree = await list.first(3);
    const rest = await list.execute({ cursor: firstThree.nextCursor! });

    expect(firstThree.items).toEqual(stored.slice(0, 3));
    expect(rest).toEqual({ items: stored.slice(3) });
  });

  it("reads exactly the count asked for over several pages, the last one short", async () => {
    const { list, stored } = await listOf(160);

    const page = await list.first(150);

    expect(page.items).toEqual(stored.slice(0, 150));
    expect(page.nextCursor).toBeDefined();
  });
});
