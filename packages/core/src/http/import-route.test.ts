import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importIdOf } from "../csv-import/import-identity.js";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { heldRequest } from "../test-support/held-request.js";
import { headersOf } from "../test-support/http-headers.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import { createTodoApi } from "./create-todo-api.js";
import { RequestAbortedError } from "./http-errors.js";

const LIMIT = 20_000;

/** An API with a small CSV limit, and its stores to look into. */
function apiUnderTest() {
  const todos = new InMemoryTodoRepository();
  const imports = new InMemoryImportLedger();
  return { todos, imports, api: createTodoApi({ todos, imports, limits: { csvBytes: LIMIT } }) };
}

/** A CSV of `rows` rows, about 30 bytes each. */
const csvOf = (rows: number) =>
  `task,name\n${Array.from({ length: rows }, (_, i) => `Task number ${i + 1},Person\n`).join("")}`;

/** A chunked upload (no Content-Length): the body arrives 1 KiB at a time. */
function chunkedUpload(text: string, headers: Record<string, string> = {}): Request {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 1024));
      at += 1024;
    },
  });
  return new Request("http://localhost/todos/import", {
    method: "POST",
    headers: { "content-type": "text/csv", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

const ledgerEntryOf = (imports: InMemoryImportLedger, key: string) =>
  imports.get(importIdOf({ container: "upload", key, version: key }));

describe("POST /todos/import refuses before it imports", () => {
  it("refuses a chunked upload over the limit without importing a row, and leaves its key free", async () => {
    const { api, todos, imports } = apiUnderTest();
    const big = csvOf(2000);
    expect(big.length).toBeGreaterThan(LIMIT);

    const refused = await api(chunkedUpload(big, { "idempotency-key": "upload-1" }));

    expect(refused.status).toBe(413);
    expect((await todos.list({ limit: 10 })).items).toEqual([]);
    expect(await ledgerEntryOf(imports, "upload-1")).toBeUndefined();

    const fixed = await api(chunkedUpload(csvOf(3), { "idempotency-key": "upload-1" }));
    expect(fixed.status).toBe(200);
    expect(await fixed.json()).toMatchObject({ status: "COMPLETED", imported: 3 });
  });

  it("refuses a declared Content-Length over the limit before reading or recording anything", async () => {
    const { api, imports } = apiUnderTest();
    let pulled = 0;
    const body = (async function* () {
      pulled += 1;
      yield new TextEncoder().encode(csvOf(3));
    })();

    const reply = await api.handle({
      method: "POST",
      url: "http://localhost/todos/import",
      headers: new Headers({
        "content-type": "text/csv",
        "content-length": String(LIMIT + 1),
        "idempotency-key": "upload-2",
      }),
      body,
    });

    expect(reply.status).toBe(413);
    expect(pulled).toBe(0);
    expect(await ledgerEntryOf(imports, "upload-2")).toBeUndefined();
  });

  it.each([
    ["a length shorter than the body", "10", 400, "MALFORMED_REQUEST", undefined],
    ["no number", "abc", 400, "INVALID_PARAMETER", undefined],
    // Read whole before its import: refused alike, not imported whole.
    ["a length shorter than the body, with an Idempotency-Key", "10", 400, "MALFORMED_REQUEST", "upload-2"],
  ])(
    "refuses an upload whose Content-Length is %s, importing nothing",
    async (_, length, status, code, key) => {
      const { api, todos } = apiUnderTest();
      const big = csvOf(500);
      // A request made in process may say anything; an HTTP parser would deliver no more than was declared.
      const request = chunkedUpload(big, key === undefined ? {} : { "idempotency-key": key });
      const reply = await api.handle({
        method: "POST",
        url: request.url,
        headers: headersOf([...request.headers, ["content-length", length]]),
        body: request.body as unknown as AsyncIterable<Uint8Array>,
      });

      expect(reply.status).toBe(status);
      expect(JSON.parse(String(reply.body))).toMatchObject({ code });
      expect((await todos.list({ limit: 10 })).items).toEqual([]);
    },
  );

  it("refuses a key sent again with another quote, as it would with another body", async () => {
    const { api } = apiUnderTest();
    const workshop = "task,name,dueDate\n'check plugins','John Doe','11-12-2017'\n";
    const upload = (quote: string) =>
      api(
        new Request(`http://localhost/todos/import?quote=${quote}`, {
          method: "POST",
          headers: { "content-type": "text/csv", "idempotency-key": "k1" },
          body: workshop,
        }),
      );

    const first = await upload("double");
    const second = await upload("single");

    expect(((await first.json()) as { rejected: number }).rejected).toBe(1);
    expect(second.status).toBe(422);
    expect(await second.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("fingerprints a key's bytes alone with the default quote, as before the quote counted", async () => {
    const { api, imports } = apiUnderTest();
    const csv = csvOf(3);

    await api(
      new Request("http://localhost/todos/import", {
        method: "POST",
        headers: { "content-type": "text/csv", "idempotency-key": "k2" },
        body: csv,
      }),
    );

    const digest = createHash("sha256").update(csv).digest("base64url");
    expect((await ledgerEntryOf(imports, "k2"))?.source.fingerprint).toBe(`sha256:${digest}`);
  });

  it("refuses a compressed upload with 415 and Accept-Encoding, recording nothing", async () => {
    const { api, imports } = apiUnderTest();

    const response = await api(
      chunkedUpload(csvOf(3), { "content-encoding": "gzip", "idempotency-key": "upload-3" }),
    );

    expect(response.status).toBe(415);
    expect(response.headers.get("accept-encoding")).toBe("identity");
    expect(await response.json()).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(await ledgerEntryOf(imports, "upload-3")).toBeUndefined();
  });

  it("refuses a compressed JSON body with 415 too", async () => {
    const { api } = apiUnderTest();

    const response = await api(
      new Request("http://localhost/todos", {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": "br" },
        body: '{"task":"x"}',
      }),
    );

    expect(response.status).toBe(415);
    expect(response.headers.get("accept-encoding")).toBe("identity");
  });
});

/** A store that fails to write every row while `down` is true (its retries ran out), as a throttled table does. */
class FlakyRepository extends InMemoryTodoRepository {
  down = true;

  override async putMany(...args: Parameters<InMemoryTodoRepository["putMany"]>) {
    if (!this.down) return super.putMany(...args);
    return { failed: args[0].map((todo) => ({ id: todo.id, reason: "throttled" })) };
  }
}

describe("POST /todos/import when rows cannot be saved", () => {
  const upload = (text: string, key: string) =>
    new Request("http://localhost/todos/import", {
      method: "POST",
      headers: { "content-type": "text/csv", "idempotency-key": key },
      body: text,
    });

  it("answers 503 IMPORT_FAILED with the report, then refuses the key with another body, then finishes", async () => {
    const todos = new FlakyRepository();
    const api = createTodoApi({ todos, imports: new InMemoryImportLedger() });
    const csv = "task\nfirst\nsecond\n";

    const failed = await api(upload(csv, "flaky-1"));

    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({
      code: "IMPORT_FAILED",
      report: { status: "FAILED", rowsRead: 2, imported: 0, failed: 2 },
    });

    // The first import FAILED, so its key could be taken over: with another body it is refused all the same.
    todos.down = false;
    const other = await api(upload("task\nsomething else\n", "flaky-1"));
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect((await todos.list({ limit: 10 })).items).toEqual([]);

    const retried = await api(upload(csv, "flaky-1"));
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ status: "COMPLETED", imported: 2 });
    expect((await todos.list({ limit: 10 })).items.map((todo) => todo.task)).toEqual(["first", "second"]);
  });
});

const keyedUpload = (key: string, csv = csvOf(2)) =>
  new Request("http://localhost/todos/import", {
    method: "POST",
    headers: { "content-type": "text/csv", "idempotency-key": key },
    body: csv,
  });

describe("POST /todos/import and its Idempotency-Key", () => {
  it("reads a key in double quotes as the bare key: the same upload sent both ways is imported once", async () => {
    const { api, todos } = apiUnderTest();

    const bare = await (await api(keyedUpload("order-7"))).json();
    const quoted = await (await api(keyedUpload('"order-7"'))).json();

    expect(quoted).toEqual({ ...bare, note: "Already imported: this is the report of the earlier run." });
    expect((await todos.list({ limit: 10 })).items).toHaveLength(2);
  });

  it.each(['order-7"', '"order-7', '"'])(
    "refuses the key %s, whose quotes do not enclose it, 400",
    async (key) => {
      const { api, todos } = apiUnderTest();

      const response = await api(keyedUpload(key));

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: "INVALID_PARAMETER",
        detail:
          'Idempotency-Key must be 1-128 letters, digits, ".", "_", ":" or "-", bare or in double quotes.',
      });
      expect((await todos.list({ limit: 10 })).items).toEqual([]);
    },
  );

  it("reads a key with blanks around it, as a runtime may pass it, as the key itself", async () => {
    const { api, imports } = apiUnderTest();
    const csv = csvOf(1);

    const reply = await api.handle({
      method: "POST",
      url: "http://localhost/todos/import",
      headers: headersOf([
        ["content-type", "text/csv"],
        ["idempotency-key", "  order-8\t"],
      ]),
      body: (async function* () {
        yield new TextEncoder().encode(csv);
      })(),
    });

    expect(reply.status).toBe(200);
    expect(await ledgerEntryOf(imports, "order-8")).toMatchObject({ status: "COMPLETED" });
  });
});

describe("POST /todos/import without a key", () => {
  it("imports the upload as one of its own, from the upload container under the request's id", async () => {
    const { api } = apiUnderTest();

    const response = await api(
      new Request("http://localhost/todos/import", {
        method: "POST",
        headers: { "content-type": "text/csv", "x-request-id": "req-42" },
        body: csvOf(1),
      }),
    );

    expect((await response.json()).source).toEqual({
      container: "upload",
      key: "req-42",
      version: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
  });

  it("stops a streamed import when the request is given up, and imports no row after", async () => {
    const { api, todos } = apiUnderTest();
    const first = "task\nfirst row\n";
    const rest = "second row\n";
    const upload = heldRequest(
      "/todos/import",
      { "content-type": "text/csv", "content-length": String(first.length + rest.length) },
      first,
      rest,
    );
    const controller = new AbortController();

    const answer = api.handle({ ...upload.request, signal: controller.signal });
    await upload.arrived;
    controller.abort(new RequestAbortedError());
    upload.finish();
    const reply = await answer;

    expect(reply.status).toBe(400);
    expect(JSON.parse(String(reply.body))).toMatchObject({ code: "REQUEST_ABORTED" });
    const tasks = (await todos.list({ limit: 10 })).items.map((todo) => todo.task);
    expect(tasks).not.toContain("second row");
  });
});
