import { describe, expect, it } from "vitest";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { heldRequest } from "../test-support/held-request.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import { createTodoApi } from "./create-todo-api.js";
import type { HttpRequest } from "./http-request.js";
import { BodyMemory } from "./read-body.js";

/** Bodies read whole may hold 10 KB at once, for JSON and for CSV each; a body may be 4 KB. */
const HELD = 10_000;
const LIMIT = 4_000;

function apiUnderTest() {
  const todos = new InMemoryTodoRepository();
  const imports = new InMemoryImportLedger();
  const limits = { jsonBytes: LIMIT, csvBytes: LIMIT, heldBytes: HELD };
  return { todos, api: createTodoApi({ todos, imports, limits }) };
}

/** A CSV of at most `bytes` bytes: a header and rows of 19 bytes. */
const csvOf = (bytes: number) => `task,name\n${"a task of a row,Jo\n".repeat(Math.floor((bytes - 10) / 19))}`;

const csv = (headers: Record<string, string> = {}) => ({ "content-type": "text/csv", ...headers });

describe("bodies read whole are held within the API's body memory", () => {
  it("refuses an upload with a key 503 with Retry-After, before reading it, while others hold the memory", async () => {
    const { api } = apiUnderTest();
    const text = csvOf(LIMIT);
    const half = text.length >> 1;
    const length = { "content-length": String(text.length) };
    // Two uploads at the limit, each sent but for its second half: 8 KB of the 10 KB held.
    const holding = [1, 2].map((n) =>
      heldRequest(
        "/todos/import",
        csv({ ...length, "idempotency-key": `held-${n}` }),
        text.slice(0, half),
        text.slice(half),
      ),
    );
    const answers = holding.map(({ request }) => api.handle(request));
    await Promise.all(holding.map(({ arrived }) => arrived));

    const third = heldRequest("/todos/import", csv({ ...length, "idempotency-key": "third" }), text);
    third.finish();
    const refused = await api.handle(third.request);

    expect(refused.status).toBe(503);
    expect(refused.headers?.["retry-after"]).toBe("5");
    expect(JSON.parse(refused.body as string)).toMatchObject({ code: "SERVER_BUSY" });
    expect(third.pulls()).toBe(0);

    // Once the two are imported, their memory is free again: the third goes through.
    for (const { finish } of holding) finish();
    expect((await Promise.all(answers)).map((reply) => reply.status)).toEqual([200, 200]);
    const again = heldRequest("/todos/import", csv({ ...length, "idempotency-key": "third" }), text);
    again.finish();
    const accepted = await api.handle(again.request);
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.body as string)).toMatchObject({ status: "COMPLETED", rejected: 0 });
  });

  it("counts a chunked upload as its bytes arrive, and refuses it at the chunk that goes past", async () => {
    const { api, todos } = apiUnderTest();
    const holding = [1, 2, 3].map(() => heldRequest("/todos/import", csv(), csvOf(3_000)));
    const answers = holding.map(({ request }) => api.handle(request));
    await Promise.all(holding.map(({ arrived }) => arrived));

    // 9 KB held: a chunked upload of 2 KB goes past the 10 KB, whether it has a key or not.
    for (const key of [{}, { "idempotency-key": "chunked" }] as Record<string, string>[]) {
      const late = heldRequest("/todos/import", csv(key), csvOf(2_000));
      late.finish();
      const refused = await api.handle(late.request);
      expect(refused.status).toBe(503);
      expect(refused.headers?.["retry-after"]).toBe("5");
    }
    // An upload with a Content-Length and no key is streamed, not held: it is taken.
    const streamed = heldRequest(
      "/todos/import",
      csv({ "content-length": "2000" }),
      csvOf(2_000).padEnd(2_000, "\n"),
    );
    streamed.finish();
    expect((await api.handle(streamed.request)).status).toBe(200);

    for (const { finish } of holding) finish();
    expect((await Promise.all(answers)).map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect((await todos.list({ limit: 100 })).items.length).toBeGreaterThan(0);
  });

  it("refuses a JSON body past the memory that JSON bodies held hold, and not an upload", async () => {
    const { api } = apiUnderTest();
    const body = JSON.stringify({ task: "t", name: "n".repeat(3_000) });
    const json = { "content-type": "application/json", "content-length": String(body.length) };
    const holding = [1, 2, 3].map(() => heldRequest("/todos", json, body.slice(0, 10), body.slice(10)));
    const answers = holding.map(({ request }) => api.handle(request));
    await Promise.all(holding.map(({ arrived }) => arrived));

    const late = heldRequest("/todos", json, body);
    late.finish();
    const refused = await api.handle(late.request);
    expect(refused.status).toBe(503);
    expect(late.pulls()).toBe(0);
    // Uploads have memory of their own.
    const upload = heldRequest("/todos/import", csv({ "idempotency-key": "own" }), csvOf(3_000));
    upload.finish();
    expect((await api.handle(upload.request)).status).toBe(200);

    for (const { finish } of holding) finish();
    // A name of 3,000 characters is too long for a todo: the bodies were read, and answered.
    expect((await Promise.all(answers)).map((reply) => reply.status)).toEqual([422, 422, 422]);
  });
});

describe("BodyMemory", () => {
  const request = (text: string, headers: Record<string, string> = {}): HttpRequest => ({
    method: "POST",
    url: "http://localhost/",
    headers: new Headers(headers),
    body: (async function* () {
      yield new TextEncoder().encode(text);
    })(),
  });

  it("gives back what a body held whether it was used, refused for its size, or its use failed", async () => {
    const memory = new BodyMemory(100);

    expect(await memory.useWhole(request("x".repeat(60)), 100, (bytes) => bytes.length)).toBe(60);
    await expect(memory.useWhole(request("x".repeat(101)), 100, () => 0)).rejects.toThrow("100 bytes");
    await expect(
      memory.useWhole(request("x".repeat(60), { "content-length": "60" }), 100, () => {
        throw new Error("use failed");
      }),
    ).rejects.toThrow("use failed");
    await expect(memory.useWhole(request("x", { "content-length": "x" }), 100, () => 0)).rejects.toThrow();

    expect(memory.heldBytes).toBe(0);
    expect(await memory.useWhole(request("x".repeat(100)), 100, (bytes) => bytes.length)).toBe(100);
  });

  it("reads a body without a length whole and in order, small chunks copied into blocks and large ones kept", async () => {
    const memory = new BodyMemory(1_000_000);
    const pieces = [
      ...Array.from({ length: 20_000 }, (_, i) => String.fromCharCode(97 + (i % 26))),
      "L".repeat(20_000),
      "tail",
    ];
    const body = (async function* () {
      for (const piece of pieces) yield new TextEncoder().encode(piece);
    })();
    const chunked: HttpRequest = { method: "POST", url: "http://localhost/", headers: new Headers(), body };

    const used = await memory.useWhole(chunked, 1_000_000, (bytes) => {
      // Its bytes, as they came.
      expect(memory.heldBytes).toBe(40_004);
      return bytes.toString();
    });

    expect(used).toBe(pieces.join(""));
    expect(memory.heldBytes).toBe(0);
  });

  it("copies a body without a length as it arrives, rather than keep the chunks it came in", async () => {
    // Node makes each chunk of a chunked body a Buffer of its own, costing a few hundred bytes however small:
    // kept, a body sent a byte a chunk held some 400 times what it counted. A chunk the reader still holds when
    // the next is asked for is one it kept: overwriting each then shows in the bytes used.
    const memory = new BodyMemory(1_000);
    const sent = "a body sent a byte at a time";
    const chunks: Uint8Array[] = [];
    const body = (async function* () {
      for (const char of sent) {
        for (const given of chunks) given.fill(0x3f);
        const chunk = new TextEncoder().encode(char);
        chunks.push(chunk);
        yield chunk;
      }
      for (const given of chunks) given.fill(0x3f);
    })();
    const chunked: HttpRequest = { method: "POST", url: "http://localhost/", headers: new Headers(), body };

    const used = await memory.useWhole(chunked, 1_000, (bytes) => {
      // What is counted while it is used: its bytes.
      expect(memory.heldBytes).toBe(sent.length);
      return bytes.toString();
    });

    expect(used).toBe(sent);
    expect(memory.heldBytes).toBe(0);
  });
});
