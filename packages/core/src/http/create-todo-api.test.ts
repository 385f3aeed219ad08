import { describe, expect, it } from "vitest";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import { createTodoApiWithoutUploads, createUploadApi } from "./create-todo-api.js";

const upload = () =>
  new Request("http://localhost/todos/import", {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: "task\nfirst\nsecond\n",
  });

// The two halves the AWS app serves from two functions: together, the whole API of createTodoApi.
describe("the todo API served in two parts", () => {
  it("without uploads, serves the rest of the API, and knows the upload route without serving it", async () => {
    const todos = new InMemoryTodoRepository();
    const api = createTodoApiWithoutUploads({ todos });

    const created = await api(
      new Request("http://localhost/todos", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task: "Try it" }),
      }),
    );
    const uploaded = await api(upload());
    const wrongMethod = await api(new Request("http://localhost/todos/import"));

    expect(created.status).toBe(201);
    // Reached only when misrouted: another function serves uploads.
    expect(uploaded.status).toBe(501);
    expect(await uploaded.json()).toMatchObject({ code: "NOT_IMPLEMENTED" });
    // Still a route of the API, as from the whole of it.
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect((await todos.list({ limit: 10 })).items).toHaveLength(1);
  });

  it("the upload API imports a CSV upload, and answers nothing else", async () => {
    const todos = new InMemoryTodoRepository();
    const api = createUploadApi({ todos, imports: new InMemoryImportLedger() });

    const uploaded = await api(upload());
    const listed = await api(new Request("http://localhost/todos"));

    expect(uploaded.status).toBe(200);
    expect(await uploaded.json()).toMatchObject({ status: "COMPLETED", imported: 2 });
    expect(listed.status).toBe(404);
    expect((await todos.list({ limit: 10 })).items).toHaveLength(2);
  });
});
