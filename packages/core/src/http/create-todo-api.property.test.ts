import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { documentedProblemCodes } from "../../../../test/support/documented-problems.js";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { headersOf } from "../test-support/http-headers.js";
import { STAMP, testTodoId, testTodos } from "../test-support/todos.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import type { Todo } from "../todos/todo.js";
import type { CorsOptions } from "./cors.js";
import { createTodoApi } from "./create-todo-api.js";
import type { HttpRequest } from "./http-request.js";
import type { Reply } from "./responses.js";

// Properties of the whole API over generated requests, against a store that works: whatever is sent, the
// answer is no 5xx, errors keep the documented shape, and a refused request changes nothing.

const SECRET = "a cursor secret of sixteen bytes or more";
const idOf = testTodoId;

/** The codes the README's error table gives each status. */
const CODES_BY_STATUS = documentedProblemCodes();

function seededTodos(count: number): Todo[] {
  return testTodos(count, (n) => ({ version: 1 + ((n - 1) % 3) }));
}

async function apiOn(seeded: number, cors?: CorsOptions) {
  const todos = new InMemoryTodoRepository();
  await todos.putMany(seededTodos(seeded));
  let next = 1000;
  const api = createTodoApi({
    todos,
    imports: new InMemoryImportLedger(),
    clock: { now: () => new Date(STAMP) },
    ids: { newId: () => idOf(next++) },
    cursorSecret: SECRET,
    ...(cors && { cors }),
  });
  return { api, todos };
}

async function snapshot(todos: InMemoryTodoRepository): Promise<Todo[]> {
  return (await todos.list({ limit: 1000 })).items;
}

async function* chunksOf(parts: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

interface GeneratedRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array[] | null;
}

function requestOf({ method, url, headers, body }: GeneratedRequest): HttpRequest {
  return { method, url, headers: headersOf(headers), body: body === null ? null : chunksOf(body) };
}

/** Checks what every answer must be: no 5xx, the base headers, and a documented problem for an error. */
function expectWellFormed(reply: Reply, method: string): void {
  expect(reply.status).toBeGreaterThanOrEqual(200);
  expect(reply.status).toBeLessThan(500);
  expect(reply.headers?.["cache-control"]).toBe("no-store");
  expect(reply.headers?.["x-content-type-options"]).toBe("nosniff");
  expect(reply.headers?.["x-request-id"]).toMatch(/^[\w.:-]{1,128}$/);
  if (reply.status === 405) expect(reply.headers?.allow).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
  if (reply.status < 400) return;
  expect(reply.headers?.["content-type"]).toBe("application/problem+json");
  if (method === "HEAD") {
    expect(reply.body).toBeUndefined();
    return;
  }
  const problem = JSON.parse(String(reply.body)) as { status: unknown; code: unknown };
  expect(problem.status).toBe(reply.status);
  expect(CODES_BY_STATUS[reply.status]).toContain(problem.code);
}

// ---------------------------------------------------------------------------------------------------------
// Generators: mostly the API's own routes, methods and parameters, broken in every way a client can break them.
// ---------------------------------------------------------------------------------------------------------

const text = fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 20 }));
const oneOf = <T>(usual: fc.Arbitrary<T>, unusual: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: unusual });
/** A value of `arbitrary` once in `times` draws, else undefined. */
const onceIn = <T>(times: number, arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: times - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const segment = fc.oneof(
  fc.constantFrom("todos", "todo", "import", idOf(2), "", ".", "..", "%", "%zz", "%E0%A4%A", "%C0%AF"),
  fc.constantFrom("%ED%A0%80", "%00", "%2F", "%2e%2e", "a%20b", "%F0%9F%98%80", "%3Fx", "%23"),
  text.map((value) => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ""))),
  text,
);
const id = oneOf(
  fc.constantFrom(idOf(1), idOf(2), idOf(3), idOf(1000)),
  fc.oneof(fc.constantFrom(idOf(999), idOf(2).toUpperCase()), segment),
);
const queryValue = fc.oneof(
  fc.constantFrom("1", "20", "100", "101", "0", "-1", "01", "1e2", " 5", "0x10", "１", "", "auto"),
  fc.constantFrom("double", "single", '"', "'", "__proto__", "toString"),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  text,
);
const query = fc.array(fc.tuple(fc.constantFrom("limit", "cursor", "quote", "x", ""), queryValue), {
  maxLength: 3,
});
/** A query string: well encoded, or as typed (`%`, `+`, `#`, non-ASCII left as they are). */
const search = fc.tuple(query, fc.boolean()).map(([parameters, raw]) => {
  const encoded = raw
    ? parameters.map(([name, value]) => `${name}=${value}`).join("&")
    : new URLSearchParams(parameters).toString();
  return encoded === "" ? "" : `?${encoded}`;
});

const field = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue() });
/** A todo's fields, mostly valid; a PATCH may carry the version it expects. */
const todoFields = (withVersion: boolean) =>
  fc
    .record(
      {
        task: field(
          oneOf(fc.constant("Write it"), fc.constantFrom(" ", "", "x".repeat(501), "a\nb", "\u202e")),
        ),
        name: field(oneOf(fc.constantFrom("Jane", null), fc.constant(""))),
        dueDate: field(
          oneOf(fc.constantFrom("2026-12-01", "01-12-2026", null), fc.constantFrom("2026-02-30", "")),
        ),
        checked: field(fc.boolean()),
        ...(withVersion && { version: field(oneOf(fc.constantFrom(1, 2, 3), fc.constantFrom(0, -1, 1.5))) }),
      },
      { requiredKeys: withVersion ? [] : ["task"] },
    )
    .chain((fields) =>
      oneOf(
        fc.constant(fields),
        fc.dictionary(text, fc.jsonValue(), { maxKeys: 2 }).map((more) => ({ ...fields, ...more })),
      ),
    );
const jsonText = (withVersion: boolean) =>
  fc.oneof(
    { weight: 8, arbitrary: todoFields(withVersion).map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: todoFields(withVersion).map(
        (value) => `${JSON.stringify(value).slice(0, -1)},"task":"again"}`,
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? "") },
    { weight: 1, arbitrary: text },
  );
const csvText = fc
  .tuple(
    fc.array(
      oneOf(
        fc.constantFrom("task", "task,name,dueDate", "Write it,Jane,2026-12-01", "'a','b'", '"a\nb"'),
        text,
      ),
      {
        maxLength: 5,
      },
    ),
    fc.constantFrom("\n", "\r\n", "\r"),
  )
  .map(([lines, ending]) => lines.join(ending));

/** `bytes` cut into chunks at the given offsets (modulo its length), as a stream would deliver them. */
function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of [...offsets, bytes.length]) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }
  return chunks;
}

const bodyOf = (content: fc.Arbitrary<string>) =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .tuple(
          fc.oneof(
            { weight: 9, arbitrary: content.map((value) => Buffer.from(value, "utf8")) },
            { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
          ),
          fc.array(fc.nat(), { maxLength: 3 }),
        )
        .map(([bytes, cuts]) => splitAt(bytes, cuts)),
    },
    { weight: 1, arbitrary: fc.constant(null) },
  );

const JSON_TYPE = ["content-type", "application/json"] as [string, string];
/** An If-Match for a write to one todo, or none: current, stale, weak, a list, or no entity tag at all. */
const ifMatch = fc.oneof(
  fc.constant([]),
  fc
    .oneof(
      fc.constantFrom('"1"', '"2"', '"3"', "*", 'W/"1"', '"1", "2"', '"7"'),
      fc.constantFrom("", "1", '"', ","),
      text,
    )
    .map((value) => [["if-match", value] as [string, string]]),
);
const CSV_TYPE = ["content-type", "text/csv"] as [string, string];

/** A request the API's routes answer: the method, path, query, content type and body that go together. */
const routed = fc.oneof(
  fc.record({
    method: fc.constant("POST"),
    path: fc.constantFrom("/todos", "/todo/add"),
    search,
    headers: fc.constant([JSON_TYPE]),
    body: bodyOf(jsonText(false)),
  }),
  fc.record({
    method: fc.constant("PATCH"),
    path: id.map((value) => `/todos/${value}`),
    search,
    headers: ifMatch.map((precondition) => [JSON_TYPE, ...precondition]),
    body: bodyOf(jsonText(true)),
  }),
  fc.record({
    method: fc.constantFrom("GET", "HEAD", "DELETE"),
    path: id.map((value) => `/todos/${value}`),
    search,
    headers: ifMatch,
    body: fc.constant(null),
  }),
  fc.record({
    method: fc.constantFrom("GET", "HEAD"),
    path: oneOf(
      fc.constantFrom("/todos", "/todo/list", "/hello", "/health", "/ready"),
      segment.map((name) => `/hello/${name}`),
    ),
    search,
    headers: fc.constant([]),
    body: fc.constant(null),
  }),
  fc.record({
    method: fc.constant("POST"),
    path: fc.constant("/todos/import"),
    search,
    headers: fc.constant([CSV_TYPE]),
    body: bodyOf(csvText),
  }),
);

const method = fc.oneof(
  fc.constantFrom("GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"),
  fc.constantFrom("get", "patch", "constructor", "__proto__", "toString"),
  fc.stringMatching(/^[A-Za-z]{1,8}$/),
);
const anyPath = fc.array(segment, { maxLength: 4 }).map((segments) => `/${segments.join("/")}`);
const headerValue = (usual: readonly string[]) => oneOf(fc.constantFrom(...usual), text);
const header = fc.oneof(
  fc.tuple(
    fc.constantFrom("content-type", "Content-Type"),
    headerValue([
      "application/json; charset=utf-8",
      'application/json; charset="UTF-8"',
      "application/merge-patch+json",
      "application/json; charset=latin1",
      "application/csv; charset=us-ascii",
      "text/plain",
      "",
    ]),
  ),
  fc.tuple(fc.constant("content-length"), headerValue(["0", "5", "100000", "-1", "1e3", " 12 ", "abc"])),
  fc.tuple(fc.constant("content-encoding"), headerValue(["identity", "gzip", "", " IDENTITY "])),
  fc.tuple(
    fc.constantFrom("if-match", "If-Match"),
    headerValue([
      '"1"',
      '"2"',
      "*",
      'W/"1"',
      '"1", "2"',
      '"3",',
      ",",
      '"',
      "1",
      '"01"',
      '"9999999999999999"',
    ]),
  ),
  fc.tuple(fc.constant("idempotency-key"), headerValue(["k1", '"k1"', "", '"', "a b", "x".repeat(129)])),
  fc.tuple(fc.constant("x-request-id"), headerValue(["req-1", "", "a b", "x".repeat(129)])),
  fc.tuple(
    text.filter((name) => name !== ""),
    text,
  ),
);
const anyBody = bodyOf(fc.oneof(jsonText(true), csvText));

/**
 * A routed request, then changed in some of its parts: another method, path or body, a header more (which may
 * repeat one it has), or a URL that is no URL.
 */
const generatedRequest: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    base: routed,
    method: onceIn(6, method),
    path: onceIn(8, anyPath),
    body: onceIn(8, anyBody),
    headers: fc.oneof(fc.constant([]), fc.array(header, { maxLength: 3 })),
    url: onceIn(
      30,
      oneOf(fc.constantFrom("*", "", "/todos", "http://[", "http://localhost:99999/todos"), text),
    ),
  })
  .map(({ base, method, path, body, headers, url }) => ({
    method: method ?? base.method,
    url: url ?? `http://localhost${path ?? base.path}${base.search}`,
    headers: [...base.headers, ...headers],
    body: body ?? base.body,
  }));

describe("the todo API, on any request (property)", () => {
  it("never answers 5xx, answers every error as a documented problem, and changes nothing when it refuses", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(generatedRequest, { minLength: 1, maxLength: 4 }), async (requests) => {
        const { api, todos } = await apiOn(3);
        for (const generated of requests) {
          const before = await snapshot(todos);

          const reply = await api.handle(requestOf(generated));

          expectWellFormed(reply, generated.method);
          if (reply.status >= 400 || generated.method === "GET" || generated.method === "HEAD") {
            expect(await snapshot(todos)).toEqual(before);
          }
        }
      }),
      propertyRuns(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// CORS on against CORS off: the same request to two APIs on the same store, one of them letting pages of some
// origins in. CORS adds headers and answers preflights; it must change nothing else.
// ---------------------------------------------------------------------------------------------------------

const PAGE = "https://app.example.com";
const corsOrigins = fc.constantFrom<readonly string[]>([PAGE, "http://localhost:5173"], ["*"]);
const crossOrigin = fc.record({
  origin: fc.option(oneOf(fc.constantFrom(PAGE, "https://other.example", "null", PAGE.toUpperCase()), text), {
    nil: undefined,
  }),
  preflightOf: fc.option(oneOf(fc.constantFrom("POST", "PATCH", "GET", "DELETE"), text), { nil: undefined }),
  // A third of the requests sent as OPTIONS, as a browser sends a preflight (with or without its headers).
  asOptions: fc.oneof(
    { weight: 2, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

/** A reply's headers but CORS's own and those that differ by request anyway (`vary` is compared apart). */
function headersBesidesCors(reply: Reply): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(reply.headers ?? {}).filter(
      ([name]) => !name.startsWith("access-control-") && name !== "vary" && name !== "x-request-id",
    ),
  );
}

/** A body with what no two runs share taken out: request ids and random import ids (UUIDs), durations. */
function comparableBody(reply: Reply): string | undefined {
  if (reply.body === undefined) return undefined;
  return Buffer.from(reply.body)
    .toString("latin1")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<uuid>")
    .replace(/"(durationMs|x-request-id|requestId)":("[^"]*"|\d+(\.\d+)?)/g, '"$1":"<varies>"');
}

describe("the todo API with CORS on, on any request (property)", () => {
  it("answers as with CORS off but for CORS headers, and a preflight of a page let in to a route with 204", async () => {
    await fc.assert(
      fc.asyncProperty(generatedRequest, crossOrigin, corsOrigins, async (generated, cross, origins) => {
        const headers: [string, string][] = [...generated.headers];
        if (cross.origin !== undefined) headers.push(["origin", cross.origin]);
        if (cross.preflightOf !== undefined)
          headers.push(["access-control-request-method", cross.preflightOf]);
        const request = { ...generated, ...(cross.asOptions && { method: "OPTIONS" }), headers };
        const sent = headersOf(headers);
        const off = await apiOn(3);
        const on = await apiOn(3, { origins });

        const offReply = await off.api.handle(requestOf(request));
        const onReply = await on.api.handle(requestOf(request));

        expectWellFormed(onReply, request.method);
        const origin = sent.get("origin");
        const letIn = origins.includes("*") || (origin !== null && origins.includes(origin));
        const preflight =
          request.method === "OPTIONS" &&
          sent.get("access-control-request-method") !== null &&
          letIn &&
          offReply.status === 405;
        if (preflight) {
          expect(onReply.status).toBe(204);
          expect(onReply.headers?.["access-control-allow-methods"]).toBe(offReply.headers?.allow);
        } else {
          expect(onReply.status).toBe(offReply.status);
          expect(headersBesidesCors(onReply)).toEqual(headersBesidesCors(offReply));
          expect(comparableBody(onReply)).toEqual(comparableBody(offReply));
          expect(onReply.headers?.["access-control-allow-methods"]).toBeUndefined();
          if (letIn) expect(onReply.headers?.["access-control-expose-headers"]).toContain("x-request-id");
        }
        expect(onReply.headers?.["access-control-allow-origin"]).toBe(
          letIn ? (origins.includes("*") ? "*" : origin) : undefined,
        );
        if (!origins.includes("*")) expect(String(onReply.headers?.vary)).toMatch(/(^|, )origin(,|$)/);
        // The stores went the same way (a keyless upload's todos have random ids: compared by their fields).
        const fieldsOf = async (todos: InMemoryTodoRepository) =>
          (await snapshot(todos)).map(({ id, ...fields }) => JSON.stringify(fields)).sort();
        expect(await fieldsOf(on.todos)).toEqual(await fieldsOf(off.todos));
      }),
      propertyRuns(300),
    );
  });
});
