import { randomUUID } from "node:crypto";
import type { Todo } from "@anycloud/core";

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
