import { describe, expect, it } from "vitest";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { StoreUnavailableError } from "../shared/errors.js";
import { testTodos } from "../test-support/todos.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  type CorsOptions,
  CorsPolicy,
  corsOriginsFrom,
  isSerializedOrigin,
} from "./cors.js";
import {
  createTodoApi,
  createTodoApiWithoutUploads,
  createUploadApi,
  createWorkshopTodoApi,
} from "./create-todo-api.js";
import { toResponse } from "./responses.js";
import { WORKSHOP_LIST_LIMIT } from "./todo-routes.js";

const APP = "https://app.example.com";
const DEV = "http://localhost:5173";
const TODO_ID = "6f1c5a4e-1111-4a2b-9c3d-123456789abc";

const apiWith = (cors?: CorsOptions, todos = new InMemoryTodoRepository()) =>
  createTodoApi({ todos, imports: new InMemoryImportLedger(), cors, ...SAME_DATA });

/**
 * The 503 SERVER_BUSY of an API whose memory for JSON bodies another body, which is never finished, holds whole.
 */
async function busyAnswer(): Promise<Response> {
  const api = createTodoApi({
    todos: new InMemoryTodoRepository(),
    imports: new InMemoryImportLedger(),
    cors: { origins: [APP] },
    limits: { jsonBytes: 100, heldBytes: 100 },
  });
  const post = (body: AsyncIterable<Uint8Array>) => ({
    method: "POST",
    url: "http://localhost/todos",
    headers: new Headers({ origin: APP, "content-type": "application/json", "content-length": "100" }),
    body,
  });
  let reading!: () => void;
  const read = new Promise<void>((resolve) => {
    reading = resolve;
  });
  void api.handle(
    post(
      (async function* () {
        reading();
        await new Promise(() => {});
        yield new Uint8Array();
      })(),
    ),
  );
  await read;
  return toResponse(await api.handle(post((async function* () {})())));
}

/** One id and one time for every todo: two APIs given the same requests answer the same bytes. */
const SAME_DATA = {
  ids: { newId: () => TODO_ID },
  clock: { now: () => new Date("2026-01-02T03:04:05.678Z") },
};

const preflight = (path: string, origin: string, method = "PATCH", requestHeaders?: string) =>
  new Request(`http://localhost${path}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": method,
      ...(requestHeaders === undefined ? {} : { "access-control-request-headers": requestHeaders }),
    },
  });

const postTodo = (headers: Record<string, string>, body: unknown = { task: "Try CORS" }) =>
  new Request("http://localhost/todos", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

/** The CORS headers of a response (and `vary`), by name. */
const corsHeadersOf = (response: Response) =>
  Object.fromEntries(
    [...response.headers].filter(([name]) => name.startsWith("access-control-") || name === "vary"),
  );

/** Names of a comma-separated header value, as a set to compare. */
const namesIn = (value: string | null) => (value ?? "").split(/,\s*/).filter(Boolean).sort();

describe("CORS off (no origins, the default)", () => {
  it.each([
    ["a preflight", () => preflight("/todos", APP)],
    ["a request from another origin", () => postTodo({ origin: APP })],
    ["an error to another origin", () => postTodo({ origin: APP }, {})],
  ])("answers %s exactly as an API without CORS does", async (_, request) => {
    const without = createTodoApi({
      todos: new InMemoryTodoRepository(),
      imports: new InMemoryImportLedger(),
      ...SAME_DATA,
    });
    const off = apiWith({ origins: [] });
    const sameId = (req: Request) => {
      req.headers.set("x-request-id", "same-id");
      return req;
    };

    const expected = await without.handle(sameId(request()));
    const actual = await off.handle(sameId(request()));

    expect(actual).toEqual(expected);
    expect(Object.keys(actual.headers ?? {}).filter((name) => /^access-control-|^vary$/.test(name))).toEqual(
      [],
    );
  });

  it("answers a preflight 405 with Allow and no CORS header", async () => {
    const response = await apiWith()(preflight("/todos/" + TODO_ID, APP));

    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, PATCH, DELETE, HEAD");
    expect(corsHeadersOf(response)).toEqual({});
  });
});

describe("CORS for a list of origins", () => {
  const cors = { origins: [APP, DEV] };

  it("answers a preflight from a listed origin 204, with the route's methods, the headers it reads and a max age", async () => {
    const response = await apiWith(cors)(
      preflight(`/todos/${TODO_ID}`, DEV, "PATCH", "content-type,if-match"),
    );

    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(corsHeadersOf(response)).toEqual({
      "access-control-allow-origin": DEV,
      // As a 405's Allow lists them.
      "access-control-allow-methods": "GET, PATCH, DELETE, HEAD",
      "access-control-allow-headers":
        "content-type, content-encoding, if-match, if-none-match, idempotency-key, x-request-id",
      "access-control-max-age": "7200",
      vary: "origin, access-control-request-method",
    });
    // The headers every answer carries are still there.
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-request-id")).toMatch(/^[\w.:-]{1,128}$/);
  });

  it("answers a preflight for an upload with the upload route's one method", async () => {
    const response = await apiWith(cors)(
      preflight("/todos/import", APP, "POST", "content-type,idempotency-key"),
    );

    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-methods")).toBe("POST");
  });

  it("lets a page send a compressed upload's Content-Encoding, so that it reads the 415 that names the one it takes", async () => {
    // Content-Encoding is neither CORS-safelisted nor forbidden: a page may set it, and its browser then asks for it.
    const allowed = await apiWith(cors)(
      preflight("/todos/import", APP, "POST", "content-encoding,content-type"),
    );
    const refused = await apiWith(cors)(
      new Request("http://localhost/todos/import", {
        method: "POST",
        headers: { origin: APP, "content-type": "text/csv", "content-encoding": "gzip" },
        body: "task\nTry CORS\n",
      }),
    );

    // A browser sends the upload only when every header it asked for is allowed.
    expect(namesIn(allowed.headers.get("access-control-allow-headers"))).toEqual(
      expect.arrayContaining(["content-encoding", "content-type"]),
    );
    expect(refused.status).toBe(415);
    expect(refused.headers.get("accept-encoding")).toBe("identity");
    expect(refused.headers.get("access-control-allow-origin")).toBe(APP);
    expect(namesIn(refused.headers.get("access-control-expose-headers"))).toContain("accept-encoding");
  });

  it("answers a preflight for a path with no route 404, as any request there from a listed origin", async () => {
    const response = await apiWith(cors)(preflight("/nothing-here", APP));

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "ROUTE_NOT_FOUND" });
    expect(response.headers.get("access-control-allow-methods")).toBeNull();
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it.each([
    ["an origin not on the list", "https://evil.example"],
    ["a listed origin in another case", "https://APP.example.com"],
    ["a listed origin with a trailing slash", `${APP}/`],
    ["a listed origin with its default port", `${APP}:443`],
    ["another scheme of a listed origin", "http://app.example.com"],
    ["the opaque origin of a sandboxed frame or a file", "null"],
  ])("answers a preflight from %s as without CORS: 405 with Allow, no CORS header", async (_, origin) => {
    const response = await apiWith(cors)(preflight("/todos", origin));

    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST, GET, HEAD");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-methods")).toBeNull();
    // Which origin asked decides the answer: caches are told so.
    expect(response.headers.get("vary")).toBe("origin, access-control-request-method");
  });

  it("answers an OPTIONS that is no preflight (no Access-Control-Request-Method) 405 with Allow, readable by the page", async () => {
    const response = await apiWith(cors)(
      new Request("http://localhost/todos", { method: "OPTIONS", headers: { origin: APP } }),
    );

    expect(response.status).toBe(405);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
    expect(namesIn(response.headers.get("access-control-expose-headers"))).toContain("allow");
  });

  it("lets a listed origin read an answer and the headers it needs, and tells caches the answer varies by origin", async () => {
    const response = await apiWith(cors)(postTodo({ origin: APP }));

    expect(response.status).toBe(201);
    expect(corsHeadersOf(response)).toEqual({
      "access-control-allow-origin": APP,
      "access-control-expose-headers":
        "location, etag, link, allow, accept-encoding, accept-patch, retry-after, x-request-id",
      vary: "origin",
    });
  });

  it.each([
    ["from an origin not on the list", { origin: "https://evil.example" }],
    ["with no Origin (not from a page on another origin)", {}],
  ])(
    "serves a request %s without letting a page read it, and says the answer varies by origin",
    async (_, headers) => {
      const response = await apiWith(cors)(postTodo(headers));

      expect(response.status).toBe(201);
      expect(corsHeadersOf(response)).toEqual({ vary: "origin" });
    },
  );

  it.each([
    ["a validation error (422)", () => postTodo({ origin: APP }, { task: "" }), 422],
    [
      "an unknown route (404)",
      () => new Request("http://localhost/nothing-here", { headers: { origin: APP } }),
      404,
    ],
    [
      "a method the route does not take (405)",
      () => new Request("http://localhost/todos", { method: "PUT", headers: { origin: APP } }),
      405,
    ],
    [
      "a compressed body (415 with Accept-Encoding)",
      () => postTodo({ origin: APP, "content-encoding": "gzip" }),
      415,
    ],
  ])("lets a listed origin read %s", async (_, request, status) => {
    const response = await apiWith(cors)(request());

    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
    expect(response.headers.get("access-control-expose-headers")).toBe(CORS_EXPOSED_HEADERS.join(", "));
    expect(response.headers.get("vary")).toBe("origin");
  });

  it("lets a listed origin read a 503 when the store fails", async () => {
    const todos = new InMemoryTodoRepository();
    todos.get = async () => {
      throw new StoreUnavailableError("down");
    };

    const response = await apiWith(
      cors,
      todos,
    )(new Request(`http://localhost/todos/${TODO_ID}`, { headers: { origin: DEV } }));

    expect(response.status).toBe(503);
    expect(response.headers.get("access-control-allow-origin")).toBe(DEV);
  });

  it("exposes every header the API answers with that a script reads, beyond the safelisted ones", async () => {
    const todos = new InMemoryTodoRepository();
    expect((await todos.putMany(testTodos(WORKSHOP_LIST_LIMIT + 1))).failed).toEqual([]);
    const api = apiWith(cors, todos);
    const created = await api(postTodo({ origin: APP }));
    const { id } = (await created.json()) as { id: string };
    const responses = [
      created,
      await api(new Request(`http://localhost/todos/${id}`, { headers: { origin: APP } })),
      await api(new Request("http://localhost/todo/list", { headers: { origin: APP } })),
      await api(new Request("http://localhost/todos", { method: "PUT", headers: { origin: APP } })),
      await api(postTodo({ origin: APP, "content-encoding": "gzip" })),
      await api(
        new Request(`http://localhost/todos/${id}`, {
          method: "PATCH",
          headers: { origin: APP, "content-type": "application/json-patch+json" },
          body: "[]",
        }),
      ),
      await busyAnswer(),
    ];
    // Fetch's CORS-safelisted response headers, what no script needs (nosniff), and CORS's own.
    const readable = new Set(["cache-control", "content-language", "content-length", "content-type"]);
    readable.add("expires").add("last-modified").add("pragma").add("x-content-type-options").add("vary");

    const sent = new Set(
      responses.flatMap((response) =>
        [...response.headers.keys()].filter(
          (name) => !readable.has(name) && !name.startsWith("access-control-"),
        ),
      ),
    );

    expect([...sent].sort()).toEqual([
      "accept-encoding",
      "accept-patch",
      "allow",
      "etag",
      "link",
      "location",
      "retry-after",
      "x-request-id",
    ]);
    for (const response of responses) {
      expect(namesIn(response.headers.get("access-control-expose-headers"))).toEqual([...sent].sort());
    }
  });

  it.each([
    [
      "without uploads",
      () => createTodoApiWithoutUploads({ todos: new InMemoryTodoRepository(), cors }),
      "/todos",
    ],
    [
      "for uploads",
      () =>
        createUploadApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger(), cors }),
      "/todos/import",
    ],
    [
      "of the workshop's routes",
      () => createWorkshopTodoApi({ todos: new InMemoryTodoRepository(), cors }),
      "/todo/add",
    ],
  ])("applies to the API %s too", async (_, create, path) => {
    const response = await create()(preflight(path, APP, "POST"));

    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
  });
});

describe("CORS for any origin (*)", () => {
  const cors = { origins: ["*"] };

  it.each([
    ["any origin", "https://anywhere.example"],
    ["an opaque origin (a sandboxed frame, a file)", "null"],
  ])(
    "answers a preflight from %s 204 with the wildcard, which does not vary by origin",
    async (_, origin) => {
      const response = await apiWith(cors)(preflight("/todos", origin, "POST", "content-type"));

      expect(response.status).toBe(204);
      expect(corsHeadersOf(response)).toEqual({
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "POST, GET, HEAD",
        "access-control-allow-headers": CORS_ALLOWED_HEADERS.join(", "),
        "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
        vary: "access-control-request-method",
      });
    },
  );

  it.each([
    ["from a page", { origin: "https://anywhere.example" }],
    ["with no Origin", {}],
  ])(
    "answers every request %s with the wildcard and no vary, as the Fetch standard advises",
    async (_, headers) => {
      const response = await apiWith(cors)(postTodo(headers, { task: "" }));

      expect(response.status).toBe(422);
      expect(corsHeadersOf(response)).toEqual({
        "access-control-allow-origin": "*",
        "access-control-expose-headers": CORS_EXPOSED_HEADERS.join(", "),
      });
    },
  );

  it("still answers a preflight for a path with no route 404", async () => {
    const response = await apiWith(cors)(preflight("/todos/a/b", APP));

    expect(response.status).toBe(404);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toBeNull();
  });
});

describe("the CORS configuration", () => {
  it.each([
    "https://app.example.com/",
    "https://app.example.com/path",
    "https://APP.example.com",
    "https://app.example.com:443",
    "app.example.com",
    "null",
    "ftp://files.example.com",
    "https://*.example.com",
    "https://*",
    "",
  ])("refuses %j, which no browser sends as an origin", (origin) => {
    expect(isSerializedOrigin(origin)).toBe(false);
    expect(() => CorsPolicy.of({ origins: [APP, origin] })).toThrow(
      new RangeError(
        `CORS origin ${JSON.stringify(origin)} is not an origin as browsers send it (https://host[:port], ` +
          "lower case, no path), nor *.",
      ),
    );
  });

  it.each([
    "http://localhost:5173",
    "https://app.example.com",
    "http://[::1]:3000",
    "https://xn--bcher-kva.example",
  ])("takes %s, an origin as browsers send it", (origin) => {
    expect(isSerializedOrigin(origin)).toBe(true);
  });

  it("is off without origins", () => {
    expect(CorsPolicy.of(undefined)).toBeUndefined();
    expect(CorsPolicy.of({ origins: [] })).toBeUndefined();
  });
});

describe("corsOriginsFrom, the origins of one setting", () => {
  it.each([
    [undefined, []],
    ["", []],
    [" , ", []],
    ["*", ["*"]],
    [` ${APP} ,${DEV},`, [APP, DEV]],
  ])("reads %j as %j", (value, origins) => {
    expect(corsOriginsFrom(value, "CORS_ORIGINS")).toEqual(origins);
  });

  it("refuses * among origins, naming the setting", () => {
    expect(() => corsOriginsFrom(`*,${APP}`, "CORS_ORIGINS")).toThrow(
      new RangeError(`CORS_ORIGINS must be * alone (any origin) or a list of origins, not "*,${APP}".`),
    );
  });

  it.each([
    ["https://app.example.com/", " (did you mean https://app.example.com?)"],
    ["HTTPS://App.Example.com:443", " (did you mean https://app.example.com?)"],
    ["https://*.example.com", " (a pattern: list each origin, or give * alone for any)"],
    ["app.example.com", ""],
    ["ftp://files.example.com", ""],
  ])("refuses %s, with the spelling browsers send where there is one", (origin, hint) => {
    expect(() => corsOriginsFrom(`${APP},${origin}`, "CORS_ORIGINS")).toThrow(
      new RangeError(
        "CORS_ORIGINS must list origins as browsers send them, scheme://host[:port] with no path or trailing " +
          `slash, or be *: "${origin}" is not one${hint}.`,
      ),
    );
  });
});

describe("CorsPolicy.headersFor", () => {
  const request = (origin: string) =>
    ({ method: "GET", url: "http://localhost/todos", headers: new Headers({ origin }), body: null }) as const;
  const policy = CorsPolicy.of({ origins: [APP] })!;

  it("adds origin to the answer's own vary, and stands alone when the answer has none", () => {
    expect(policy.headersFor(request(APP), { vary: "accept-encoding" }).vary).toBe("accept-encoding, origin");
    expect(policy.headersFor(request(APP), { vary: "" }).vary).toBe("origin");
    expect(policy.headersFor(request(APP)).vary).toBe("origin");
  });

  it("allows no origin off the list, nor an opaque one", () => {
    for (const origin of [DEV, "null"]) {
      const headers = policy.headersFor(request(origin));

      expect(headers).toEqual({ vary: "origin" });
    }
  });
});
