import { randomUUID } from "node:crypto";
import type { Todo, TodoPage, TodoRepository } from "@anycloud/core";

/**
 * A valid todo with a fresh id, every field set, created at 2030-01-01T00:00:00.000Z; `overrides` pick the fields
 * a test is about. For the stores' tests, where todos must not collide; core's own tests number theirs
 * (packages/core/src/test-support/todos.ts).
 */
export function aTodo(overrides: Partial<Todo> = {}): Todo {
  return {
    id: randomUUID(),
    task: "Water the plants",
    name: "Grace",
    dueDate: "2030-06-01",
    checked: false,
    createdAt: "2030-01-01T00:00:00.000Z",
    updatedAt: "2030-01-01T00:00:00.000Z",
    version: 1,
    ...overrides,
  };
}

/** Every page of a listing of `repository`, `limit` todos a page, from `cursor` (the start unless given). */
export async function listAll(
  repository: TodoRepository,
  limit: number,
  cursor?: string,
): Promise<TodoPage[]> {
  const pages = [];
  for (let next = cursor, count = 0; ; count++) {
    if (count > 10_000) throw new Error("The listing does not end.");
    const page = await repository.list(next === undefined ? { limit } : { limit, cursor: next });
    pages.push(page);
    if (page.nextCursor === undefined) return pages;
    next = page.nextCursor;
  }
}

export function sortById(todos: readonly Todo[]): Todo[] {
  return [...todos].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
