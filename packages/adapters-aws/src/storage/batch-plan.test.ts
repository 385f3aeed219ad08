import type { Todo } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { aTodo } from "../../../../test/support/todos.js";
import { INVALID_TODO, MAX_BATCH_BYTES, planBatches, TODO_TOO_LARGE } from "./batch-plan.js";

describe("planBatches", () => {
  it("splits todos into calls of at most 25, in order", () => {
    const todos = Array.from({ length: 60 }, () => aTodo());

    const { batches, failed } = planBatches(todos);

    expect(batches.map((batch) => batch.length)).toEqual([25, 25, 10]);
    expect(batches.flat().map((put) => put.id)).toEqual(todos.map((todo) => todo.id));
    expect(failed).toEqual([]);
  });

  it("plans nothing for no todos", () => {
    expect(planBatches([])).toEqual({ batches: [], failed: [] });
  });

  it("keeps only the last todo of a repeated id, so that no call holds one key twice", () => {
    const first = aTodo({ task: "first" });
    const last = { ...first, task: "last" };
    const todos = [first, ...Array.from({ length: 30 }, () => aTodo()), last];

    const { batches } = planBatches(todos);

    const ids = batches.flat().map((put) => put.id);
    expect(ids.filter((id) => id === first.id)).toHaveLength(1);
    expect(batches.flat().find((put) => put.id === first.id)?.item.task).toEqual({ S: "last" });
  });

  it("refuses a todo over 400 KB before any call, and plans the others", () => {
    const huge = aTodo({ task: "é".repeat(205 * 1024) });
    const other = aTodo();

    const { batches, failed } = planBatches([huge, other]);

    expect(failed).toEqual([{ id: huge.id, reason: TODO_TOO_LARGE }]);
    expect(batches.flat().map((put) => put.id)).toEqual([other.id]);
  });

  it("keeps each call within 16 MB as sent, where 25 todos under the item limit take more in DynamoDB's JSON", () => {
    // 330 KB stored each, 660 KB each as sent: every quote is escaped. 25 of them are over 16 MB.
    const todos = Array.from({ length: 25 }, () => aTodo({ task: '"'.repeat(330 * 1024) }));

    const { batches, failed } = planBatches(todos);

    expect(failed).toEqual([]);
    expect(batches.flat().map((put) => put.id)).toEqual(todos.map((todo) => todo.id));
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      const request = { RequestItems: { todos: batch.map(({ item }) => ({ PutRequest: { Item: item } })) } };
      expect(Buffer.byteLength(JSON.stringify(request))).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
  });

  it.each([
    ["a missing task", { task: undefined }],
    ["a numeric name", { name: 7 }],
    ["a fractional version", { version: 1.5 }],
    ["a checked flag given as a string", { checked: "true" }],
    ["an empty id, which DynamoDB refuses as a key", { id: "" }],
    ["an id over DynamoDB's 2,048 bytes for a key", { id: "é".repeat(1025) }],
  ])("refuses a todo with %s", (_, broken) => {
    const todo = { ...aTodo(), ...broken } as unknown as Todo;

    const { batches, failed } = planBatches([todo]);

    expect(failed).toEqual([{ id: todo.id, reason: INVALID_TODO }]);
    expect(batches).toEqual([]);
  });

  it("marshals null fields as NULL and the version as a number", () => {
    const todo = aTodo({ name: null, dueDate: null, version: 12 });

    const [put] = planBatches([todo]).batches.flat();

    expect(put?.item).toMatchObject({ name: { NULL: true }, dueDate: { NULL: true }, version: { N: "12" } });
  });
});
