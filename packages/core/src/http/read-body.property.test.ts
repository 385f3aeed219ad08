import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { headersOf } from "../test-support/http-headers.js";
import { testTodo, testTodoId } from "../test-support/todos.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import { createTodoApi } from "./create-todo-api.js";

const TODO_ID = testTodoId(1);

/** A body that counts the bytes pulled from it, and says whether its reader released it. */
function countedBody(chunks: readonly Uint8Array[]) {
  const counter = { pulled: 0, released: false };
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      for (const chunk of chunks) {
        counter.pulled += chunk.byteLength;
        yield chunk;
      }
    } finally {
      counter.released = true;
    }
  }
  return { body: body(), counter };
}

// Each route that reads a body, with its content type and extra headers, and which limit applies to it.
const ROUTES = [
  { method: "POST", path: "/todos", type: "application/json", limit: "json" },
  { method: "POST", path: "/todo/add", type: "application/json", limit: "json" },
  { method: "PATCH", path: `/todos/${TODO_ID}`, type: "application/merge-patch+json", limit: "json" },
  { method: "PATCH", path: `/todos/${TODO_ID}`, type: "application/json", limit: "json", ifMatch: '"1"' },
  { method: "POST", path: "/todos/import", type: "text/csv", limit: "csv" },
  { method: "POST", path: "/todos/import", type: "text/csv", limit: "csv", key: "upload-1" },
] as const;

/** Text the route would accept, were it short enough: a todo padded with spaces, or CSV rows. */
function contentOf(type: string, size: number): Buffer {
  const content =
    type === "text/csv"
      ? `task\n${"x\n".repeat(Math.ceil(size / 2))}`
      : `{"task":"Write it"}${" ".repeat(Math.max(0, size))}`;
  return Buffer.from(content).subarray(0, Math.max(size, 0));
}

/** `bytes` cut into chunks of the given sizes (the last takes what is left). */
function chunked(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const size of sizes) {
    if (start >= bytes.length) break;
    chunks.push(bytes.subarray(start, start + size));
    start += size;
  }
  if (start < bytes.length) chunks.push(bytes.subarray(start));
  return chunks;
}

describe("body limits (property)", () => {
  it("answers a body over its limit 413, reads no chunk past the one that crossed it, and changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.integer({ min: 1, max: 2048 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom("none", "honest"),
        async (route, limit, over, sizes, contentLength) => {
          const todos = new InMemoryTodoRepository();
          await todos.putMany([testTodo(1, { task: "Before" })]);
          const api = createTodoApi({
            todos,
            imports: new InMemoryImportLedger(),
            limits: route.limit === "json" ? { jsonBytes: limit } : { csvBytes: limit },
          });
          const bytes = contentOf(route.type, limit + over);
          const chunks = chunked(bytes, sizes);
          const { body, counter } = countedBody(chunks);
          const headers = new Map<string, string>([["content-type", route.type]]);
          if (contentLength === "honest") headers.set("content-length", String(bytes.length));
          if ("ifMatch" in route) headers.set("if-match", route.ifMatch);
          if ("key" in route) headers.set("idempotency-key", route.key);

          const reply = await api.handle({
            method: route.method,
            url: `http://localhost${route.path}`,
            headers: headersOf(headers),
            body,
          });

          expect(reply.status).toBe(413);
          expect(JSON.parse(String(reply.body))).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
          if (contentLength === "honest") {
            expect(counter.pulled).toBe(0);
          } else {
            // Up to the chunk that crossed the limit, and not one more; the reader let the rest go.
            let crossing = 0;
            for (const chunk of chunks) {
              crossing += chunk.byteLength;
              if (crossing > limit) break;
            }
            expect(counter.pulled).toBe(crossing);
            expect(counter.released).toBe(true);
          }
          const stored = (await todos.list({ limit: 100 })).items;
          expect(stored).toHaveLength(1);
          expect(stored[0]).toMatchObject({ task: "Before", version: 1 });
        },
      ),
      propertyRuns(300),
    );
  });
});
