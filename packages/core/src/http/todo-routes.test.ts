import { describe, expect, it } from "vitest";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { StoreUnavailableError } from "../shared/errors.js";
import { testTodos } from "../test-support/todos.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import type { Todo } from "../todos/todo.js";
import { createTodoApi, createWorkshopTodoApi } from "./create-todo-api.js";
import { WORKSHOP_LIST_LIMIT } from "./todo-routes.js";

async function storeOf(count: number): Promise<InMemoryTodoRepository> {
  const todos = new InMemoryTodoRepository();
  expect((await todos.putMany(testTodos(count))).failed).toEqual([]);
  return todos;
}

describe("GET /todo/list", () => {
  it("answers every todo as an array, with no Link, when they fit", async () => {
    const api = createWorkshopTodoApi({ todos: await storeOf(WORKSHOP_LIST_LIMIT) });
    const response = await api(new Request("http://localhost/todo/list"));
    expect(response.status).toBe(200);
    expect((await response.json()) as Todo[]).toHaveLength(WORKSHOP_LIST_LIMIT);
    expect(response.headers.get("link")).toBeNull();
  });

  it("stops at WORKSHOP_LIST_LIMIT and links to where /todos goes on, with no todo lost or repeated", async () => {
    const total = WORKSHOP_LIST_LIMIT + 150;
    const cursorSecret = "a secret of sixteen bytes or more";
    const todos = await storeOf(total);
    const api = createTodoApi({ todos, imports: new InMemoryImportLedger(), cursorSecret });

    const response = await api(new Request("http://localhost/todo/list"));
    expect(response.status).toBe(200);
    const seen = ((await response.json()) as Todo[]).map((todo) => todo.id);
    expect(seen).toHaveLength(WORKSHOP_LIST_LIMIT);
    const link = /^<(\/todos\?[^>]+)>; rel="next"$/.exec(response.headers.get("link") ?? "");
    expect(link).not.toBeNull();

    let next: string | null = link![1]!;
    while (next) {
      const page = await api(new Request(`http://localhost${next}`));
      expect(page.status).toBe(200);
      const body = (await page.json()) as { items: Todo[]; nextCursor: string | null };
      seen.push(...body.items.map((todo) => todo.id));
      next = body.nextCursor && `/todos?limit=100&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });
});

describe("PATCH /todos/{id} with an If-Match and a body at fault", () => {
  it("answers the body's fault when the store cannot say whether the precondition holds", async () => {
    const todos = await storeOf(1);
    todos.get = () => Promise.reject(new StoreUnavailableError("todos"));
    const api = createTodoApi({ todos, imports: new InMemoryImportLedger() });
    const patch = (body: string) =>
      api(
        new Request("http://localhost/todos/00000000-0000-4000-8000-000000000001", {
          method: "PATCH",
          headers: { "content-type": "application/json", "if-match": '"1"' },
          body,
        }),
      );

    expect((await patch("{not json")).status).toBe(400);
    expect((await patch('{"task": ""}')).status).toBe(422);
  });

  it("answers the body's fault, not the todo's absence, when the PATCH has no If-Match or If-None-Match", async () => {
    const api = createTodoApi({ todos: await storeOf(0), imports: new InMemoryImportLedger() });
    const unknown = "http://localhost/todos/00000000-0000-4000-8000-000000000001";
    const patch = (body: string) =>
      api(new Request(unknown, { method: "PATCH", headers: { "content-type": "application/json" }, body }));

    expect(await (await patch("{not json")).json()).toMatchObject({ status: 400, code: "MALFORMED_JSON" });
    expect(await (await patch('{"task": ""}')).json()).toMatchObject({
      status: 422,
      code: "VALIDATION_FAILED",
    });
  });
});

describe("GET /ready", () => {
  it("answers 200 when the todo store answers, and 503 STORE_UNAVAILABLE when it does not, as /health does not", async () => {
    const todos = await storeOf(1);
    const api = createTodoApi({ todos, imports: new InMemoryImportLedger() });
    const ready = await api(new Request("http://localhost/ready"));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });

    todos.list = () => Promise.reject(new StoreUnavailableError("todos"));
    const unready = await api(new Request("http://localhost/ready"));
    expect(unready.status).toBe(503);
    expect(await unready.json()).toMatchObject({ status: 503, code: "STORE_UNAVAILABLE" });
    expect((await api(new Request("http://localhost/health"))).status).toBe(200);
  });

  it("answers 503 when the import ledger does not answer, the todo store does, in an API that takes uploads", async () => {
    const imports = new InMemoryImportLedger();
    const api = createTodoApi({ todos: await storeOf(1), imports });
    imports.get = () => Promise.reject(new StoreUnavailableError("imports"));

    const unready = await api(new Request("http://localhost/ready"));

    expect(unready.status).toBe(503);
    expect(await unready.json()).toMatchObject({ status: 503, code: "STORE_UNAVAILABLE" });
  });
});
