import { describe, expect, it } from "vitest";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import type { Logger } from "../shared/logger.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import type { ListOptions } from "../todos/ports/todo-repository.js";
import {
  createTodoApi,
  createTodoApiWithoutUploads,
  createUploadApi,
  createWorkshopTodoApi,
} from "./create-todo-api.js";

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
    expect(await uploaded.json()).toMatchObject({
      code: "NOT_IMPLEMENTED",
      detail: "CSV uploads are served by another function, not this one.",
    });
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

/** A todo store whose every list fails as a driver would, not with one of core's errors. */
class BrokenListRepository extends InMemoryTodoRepository {
  override async list(): Promise<never> {
    throw new Error("connection reset");
  }
}

/** A logger that keeps the messages of its errors. */
function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const ignore = () => {};
  return { errors, debug: ignore, info: ignore, warn: ignore, error: (message) => errors.push(message) };
}

describe("what the todo APIs are given", () => {
  it.each([
    ["the API without uploads", createTodoApiWithoutUploads, "/todos"],
    ["the workshop's API", createWorkshopTodoApi, "/todo/list"],
  ])("%s logs a failure with the logger it was given", async (_, create, path) => {
    const logger = recordingLogger();
    const api = create({ todos: new BrokenListRepository(), logger });

    const response = await api(new Request(`http://localhost${path}`));

    expect(response.status).toBe(500);
    expect(logger.errors).toEqual(["request failed"]);
  });

  it("the workshop's API dates a todo by the clock it was given", async () => {
    const todos = new InMemoryTodoRepository();
    const api = createWorkshopTodoApi({ todos, clock: { now: () => new Date("2026-01-02T03:04:05.678Z") } });

    const response = await api(
      new Request("http://localhost/todo/add", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task: "Try it" }),
      }),
    );

    expect(response.status).toBe(200);
    expect((await todos.list({ limit: 1 })).items[0]?.createdAt).toBe("2026-01-02T03:04:05.678Z");
  });

  it("the API without uploads is ready when its todo store answers, with no ledger to ask", async () => {
    const response = await createTodoApiWithoutUploads({ todos: new InMemoryTodoRepository() })(
      new Request("http://localhost/ready"),
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready" });
  });

  it("asks the todo store for a page of one todo to see that it is ready", async () => {
    const asked: ListOptions[] = [];
    class ListingRepository extends InMemoryTodoRepository {
      override list(options: ListOptions) {
        asked.push(options);
        return super.list(options);
      }
    }
    const api = createTodoApi({ todos: new ListingRepository(), imports: new InMemoryImportLedger() });

    await api(new Request("http://localhost/ready"));

    expect(asked).toEqual([{ limit: 1 }]);
  });
});
