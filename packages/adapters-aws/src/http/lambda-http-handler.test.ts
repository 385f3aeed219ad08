import {
  createTodoApi,
  type HttpApi,
  type HttpRequest,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  importIdOf,
  type Reply,
} from "@anycloud/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TIME_LIMIT_MARGIN_MS } from "../lambda/time-limit.js";
import { createLambdaHttpHandler, type LambdaHttpResult } from "./lambda-http-handler.js";
import { oversizeBytesOf } from "./result-limit.js";

// Fetch's globals, which Node implements in undici and loads on first touch: a Lambda serving core's API
// must never touch them (building them is the costliest step of a small request, loading undici a cold
// start's). Each is replaced by a getter that throws, and a record of who asked.
const FETCH_GLOBALS = ["Request", "Response", "Headers", "fetch"] as const;

function forbidFetchGlobals(touched: string[]): () => void {
  const saved = FETCH_GLOBALS.map(
    (name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const,
  );
  for (const name of FETCH_GLOBALS) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        throw new Error(`globalThis.${name} was touched`);
      },
    });
  }
  return () => {
    for (const [name, descriptor] of saved) {
      if (descriptor === undefined) delete (globalThis as Record<string, unknown>)[name];
      else Object.defineProperty(globalThis, name, descriptor);
    }
  };
}

const HOST = "r3pmxmplak.execute-api.us-east-2.amazonaws.com";

function payloadV2(method: string, path: string, body?: string): Record<string, unknown> {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    cookies: ["session=abc123"],
    headers: { host: HOST, "x-forwarded-proto": "https", "content-type": "application/json" },
    requestContext: { domainName: HOST, http: { method, path }, stage: "$default" },
    ...(body !== undefined && { body: Buffer.from(body).toString("base64"), isBase64Encoded: true }),
  };
}

function payloadV1(method: string, path: string, body?: string): Record<string, unknown> {
  return {
    httpMethod: method,
    path,
    headers: { Host: HOST, "Content-Type": "application/json" },
    multiValueHeaders: { Host: [HOST], "Content-Type": ["application/json"], "X-Trace": ["one", "two"] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    requestContext: { domainName: HOST, stage: "prod" },
    body: body ?? null,
    isBase64Encoded: false,
  };
}

describe("the Lambda HTTP handler serving core's API", () => {
  const touched: string[] = [];
  let restore: () => void = () => {};

  beforeEach(() => {
    touched.length = 0;
  });

  afterEach(() => {
    restore();
    expect(touched).toEqual([]);
  });

  it.each([
    ["2.0", payloadV2],
    ["1.0", payloadV1],
  ])("never touches Request, Response, Headers or fetch (payload %s)", async (_, eventOf) => {
    const handler = createLambdaHttpHandler(
      createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() }),
    );
    restore = forbidFetchGlobals(touched);

    const created = await handler(
      eventOf("POST", "/todos", JSON.stringify({ task: "Write the README", dueDate: "2026-12-01" })),
      { awsRequestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd" },
    );
    const listed = await handler(eventOf("GET", "/todos"));
    const head = await handler(eventOf("HEAD", "/health"));
    const malformed = await handler(eventOf("CONNECT", "/todos"));
    restore();

    expect(created).toMatchObject({
      statusCode: 201,
      isBase64Encoded: false,
      headers: {
        "content-type": "application/json",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
    const todo = JSON.parse(created.body!) as { id: string; task: string };
    expect(todo).toMatchObject({ task: "Write the README" });
    expect(listed).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(JSON.stringify(JSON.parse(listed.body!))).toContain(todo.id);
    expect(head).toMatchObject({ statusCode: 200, body: "", isBase64Encoded: false });
    expect(malformed).toMatchObject({
      statusCode: 400,
      headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
    });
    for (const result of [created, listed, head, malformed] as LambdaHttpResult[]) {
      expect(result).not.toHaveProperty("cookies");
      expect(result).not.toHaveProperty("multiValueHeaders");
    }
  });
});

describe("an event fetch would have refused", () => {
  const handler = createLambdaHttpHandler(
    createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() }),
  );
  const withHeaders = (headers: Record<string, string>) => ({
    ...payloadV2("GET", "/health"),
    headers: { "x-forwarded-proto": "https", ...headers },
  });

  it.each([
    ["a header name that is not a token", withHeaders({ "bad header": "1" })],
    ["a header value with a line break", withHeaders({ "x-a": "1\r\nx-b: 2" })],
    ["a header value with a NUL", withHeaders({ "x-a": "1\u0000" })],
    ["a header value with a character that is not a byte", withHeaders({ "x-a": "\u2713" })],
    ["a cookie with a line break", { ...payloadV2("GET", "/health"), cookies: ["a=1\nb=2"] }],
    ["a host whose port is out of range", withHeaders({ host: "example.com:99999" })],
    ["a method that is not a token", payloadV2("GET /", "/health")],
    ["a forbidden method", payloadV1("TRACE", "/health")],
  ])("is answered 400 MALFORMED_EVENT: %s", async (_, event) => {
    const result = await handler(event, { awsRequestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd" });

    expect(result).toMatchObject({
      statusCode: 400,
      isBase64Encoded: false,
      headers: {
        "content-type": "application/problem+json",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "x-request-id": "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
      },
    });
    expect(JSON.parse(result.body!)).toMatchObject({
      code: "MALFORMED_EVENT",
      requestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
    });
  });

  it("upper-cases a common method sent in lower case, as fetch did", async () => {
    const result = await handler(payloadV1("head", "/health"));

    expect(result).toMatchObject({ statusCode: 200, body: "" });
  });
});

describe("the request id", () => {
  const handler = createLambdaHttpHandler(
    createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() }),
  );
  const withRequestId = (id: string) => ({
    ...payloadV2("GET", "/no/such/route"),
    headers: { host: HOST, "x-forwarded-proto": "https", "x-request-id": id },
  });

  it("names the request by Lambda's request id, unless the client named it", async () => {
    const context = { awsRequestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd" };

    const unnamed = await handler(payloadV2("GET", "/no/such/route"), context);
    const named = await handler(withRequestId("trace-123"), context);
    const badlyNamed = await handler(withRequestId("not a key"), context);

    expect(unnamed.headers).toMatchObject({ "x-request-id": context.awsRequestId });
    expect(JSON.parse(unnamed.body!)).toMatchObject({ requestId: context.awsRequestId });
    expect(named.headers).toMatchObject({ "x-request-id": "trace-123" });
    expect(badlyNamed.headers).toMatchObject({ "x-request-id": context.awsRequestId });
  });
});

describe("a context whose awsRequestId is no string", () => {
  it("gives the API a request without a request id", async () => {
    const requests: HttpRequest[] = [];
    const api: HttpApi = Object.assign(async () => new Response(null), {
      handle: async (request: HttpRequest): Promise<Reply> => {
        requests.push(request);
        return { status: 204 };
      },
    });

    await createLambdaHttpHandler(api)(payloadV2("GET", "/health"), { awsRequestId: 42 });

    expect(requests).toHaveLength(1);
    expect(requests[0]!.requestId).toBeUndefined();
  });
});

describe("the function's time limit", () => {
  /** The in-memory store, writing each batch of 10 in 25 ms, as a remote store takes its time. */
  class SlowTodoRepository extends InMemoryTodoRepository {
    override readonly preferredBatchSize = 10;
    /** Whether each write was handed the time limit's signal (a store that retries stops on it). */
    readonly givenSignal: boolean[] = [];
    override async putMany(...args: Parameters<InMemoryTodoRepository["putMany"]>) {
      this.givenSignal.push(args[1]?.signal !== undefined);
      await new Promise((resolve) => setTimeout(resolve, 25));
      return super.putMany(...args);
    }
  }
  const csv = `task\n${Array.from({ length: 200 }, (_, index) => `todo ${index}`).join("\n")}\n`;
  const upload = () => ({
    ...payloadV2("POST", "/todos/import"),
    headers: { host: HOST, "content-type": "text/csv", "idempotency-key": "upload-1" },
    body: csv,
    isBase64Encoded: false,
  });
  /** A Lambda context with `leftMs` to go when the invocation starts. */
  const contextWith = (leftMs: number) => {
    const deadline = Date.now() + leftMs;
    return { awsRequestId: "req-1", getRemainingTimeInMillis: () => deadline - Date.now() };
  };

  it("stops an import before it, records it FAILED and answers 503; the same upload sent again finishes it", async () => {
    const todos = new SlowTodoRepository();
    const imports = new InMemoryImportLedger();
    const handler = createLambdaHttpHandler(createTodoApi({ todos, imports }));

    // 20 batches of 25 ms: about half a second of writing, in an invocation with 200 ms left, stopped half-way.
    const stopped = await handler(upload(), contextWith(200));

    expect(stopped.statusCode).toBe(503);
    expect(JSON.parse(stopped.body!)).toMatchObject({ code: "TIME_LIMIT_REACHED", requestId: "req-1" });
    const importId = importIdOf({ container: "upload", key: "upload-1", version: "upload-1" });
    expect(await imports.get(importId)).toMatchObject({ status: "FAILED" });
    // Stopped part-way (how far depends on the machine's pace): not every row is in.
    expect((await todos.list({ limit: 500 })).items.length).toBeLessThan(200);

    const again = await handler(upload(), contextWith(60_000));

    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body!)).toMatchObject({ status: "COMPLETED", rowsRead: 200 });
    expect((await todos.list({ limit: 500 })).items).toHaveLength(200);
    // Every write, of either run, was handed the time limit's signal; the second run wrote the rows the first
    // did not, so there is at least one.
    expect(todos.givenSignal.length).toBeGreaterThan(0);
    expect(todos.givenSignal).not.toContain(false);
  });

  it("does not stop a request that ends in time", async () => {
    const handler = createLambdaHttpHandler(
      createTodoApi({ todos: new SlowTodoRepository(), imports: new InMemoryImportLedger() }),
    );

    const result = await handler(upload(), contextWith(TIME_LIMIT_MARGIN_MS + 30_000));

    expect(result.statusCode).toBe(200);
  });

  // A timer left pending would keep a process that serves the handler (the local loop) alive until it fired,
  // and abort, in a later invocation of a warm Lambda, a signal nobody reads any more.
  it("leaves no timer behind once it has answered", async () => {
    // A store that takes no time: the only timer left to count is the time limit's.
    const handler = createLambdaHttpHandler(
      createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() }),
    );
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const result = await handler(upload(), contextWith(TIME_LIMIT_MARGIN_MS + 30_000));

      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body!)).toMatchObject({ status: "COMPLETED", rowsRead: 200 });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("a context that gives no usable time limit", () => {
  /** Writes batches of 10 with a pause between them, so that a timer taken from a bad limit fires mid-import. */
  class PausingTodoRepository extends InMemoryTodoRepository {
    override readonly preferredBatchSize = 10;
    override async putMany(...args: Parameters<InMemoryTodoRepository["putMany"]>) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return super.putMany(...args);
    }
  }

  it.each([
    // NaN would make a timer of about 1 ms: an import of two in-memory rows ends before it fires, so the rows
    // below are written in three paused batches, which such a timer stops.
    ["no number", () => Number.NaN],
    // Each of these is 0 to Number(): a limit already reached.
    ["null", () => null],
    ["an empty string", () => ""],
    ["weeks (more than a timer takes)", () => 2 ** 31 + 10_000],
  ])("leaves an upload unstopped when it gives %s", async (_, getRemainingTimeInMillis) => {
    const todos = new PausingTodoRepository();
    const handler = createLambdaHttpHandler(createTodoApi({ todos, imports: new InMemoryImportLedger() }));
    const event = {
      ...payloadV2("POST", "/todos/import"),
      headers: { host: HOST, "content-type": "text/csv" },
      body: `task\n${Array.from({ length: 30 }, (_, index) => `todo ${index}`).join("\n")}\n`,
      isBase64Encoded: false,
    };

    const result = await handler(event, { awsRequestId: "req-2", getRemainingTimeInMillis });

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toMatchObject({ status: "COMPLETED", imported: 30 });
    expect((await todos.list({ limit: 100 })).items).toHaveLength(30);
  });
});

describe("paths in a reply's Location and Link headers", () => {
  // Core answers paths from its root (`Location: /todos/<id>`); the service's URL has the stage or base path the
  // handler removed before core saw the path, and a client resolving the answer against it must find it again.
  const newTodo = JSON.stringify({ task: "Write the README", dueDate: "2026-12-01" });
  const restEvent = (path: string, context: Record<string, unknown>) => ({
    ...payloadV1("POST", path, newTodo),
    requestContext: { domainName: HOST, stage: "prod", path: `/prod${path}`, ...context },
  });
  const httpApiEvent = (rawPath: string, stage: string) => {
    const event = payloadV2("POST", rawPath, newTodo);
    return { ...event, requestContext: { ...(event.requestContext as object), stage } };
  };
  const locationOf = async (event: unknown, options?: { basePath: string }) => {
    const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
    const result = await createLambdaHttpHandler(api, options)(event);
    expect(result.statusCode).toBe(201);
    return result.headers?.location;
  };
  /** `/todos/<id>` behind `prefix`. */
  const pathOfTodo = (prefix: string) => new RegExp(`^${prefix}/todos/[0-9a-f-]{36}$`, "i");

  it("puts a REST API's stage back in front of them (its invoke URL is /<stage>/...)", async () => {
    expect(await locationOf(restEvent("/todos", {}))).toMatch(pathOfTodo("/prod"));
  });

  it("puts an HTTP API's named stage back in front of them", async () => {
    expect(await locationOf(httpApiEvent("/dev/todos", "dev"))).toMatch(pathOfTodo("/dev"));
  });

  it("leaves out a named stage the event came with through a custom domain, whose URLs have none", async () => {
    const event = httpApiEvent("/dev/todos", "dev");
    Object.assign(event.requestContext, { domainName: "api.example.com" });

    expect(await locationOf(event)).toMatch(pathOfTodo(""));
  });

  it("puts a custom domain's base path back when an HTTP API's rawPath holds the stage instead", async () => {
    // Through https://api.example.com/v1/... (mapping key v1 -> stage prod), rawPath was reported to be the stage,
    // not the mapping key (CodeGenieApp/serverless-express#465); the client's URL has /v1 all the same.
    const event = httpApiEvent("/prod/todos", "prod");
    Object.assign(event.requestContext, { domainName: "api.example.com" });

    expect(await locationOf(event, { basePath: "/v1" })).toMatch(pathOfTodo("/v1"));
  });

  it("puts a custom domain's base path back in front of them", async () => {
    const event = restEvent("/v1/todos", { domainName: "api.example.com", path: "/v1/todos" });

    expect(await locationOf(event, { basePath: "/v1" })).toMatch(pathOfTodo("/v1"));
  });

  it("keeps a custom domain's base path named like the stage in an HTTP API's 1.0 path (/v1 mapped to stage v1)", async () => {
    // Through a custom domain, payload 1.0's path holds the API mapping's path (AWS, "Create AWS Lambda proxy
    // integrations for HTTP APIs": "use format 1.0 and the path to access the API mapping"), here named like the stage.
    const event = {
      ...restEvent("/v1/todos", { domainName: "api.example.com", path: "/v1/todos", stage: "v1" }),
      version: "1.0",
    };

    expect(await locationOf(event, { basePath: "/v1" })).toMatch(pathOfTodo("/v1"));
  });

  it("adds no base path the event's path did not have (the execute-api URL of a function mapped at /v1)", async () => {
    expect(await locationOf(restEvent("/todos", {}), { basePath: "/v1" })).toMatch(pathOfTodo("/prod"));
    expect(await locationOf(httpApiEvent("/todos", "$default"), { basePath: "/v1" })).toMatch(pathOfTodo(""));
  });

  it("adds no base path to an HTTP API's event that names no domain, which may be no custom domain", async () => {
    const event = httpApiEvent("/todos", "$default");
    delete (event.requestContext as Record<string, unknown>).domainName;

    expect(await locationOf(event, { basePath: "/v1" })).toMatch(pathOfTodo(""));
  });

  it("removes a custom domain's base path from an HTTP API's rawPath, and puts it back", async () => {
    const event = httpApiEvent("/v1/todos", "$default");
    Object.assign(event.requestContext, { domainName: "api.example.com" });

    expect(await locationOf(event, { basePath: "/v1" })).toMatch(pathOfTodo("/v1"));
  });

  it("leaves them as they are when the service's path is core's ($default stage)", async () => {
    expect(await locationOf(httpApiEvent("/todos", "$default"))).toMatch(pathOfTodo(""));
  });

  it("rewrites every path-absolute target of a Link, and leaves absolute and network-path ones", async () => {
    const reply: Reply = {
      status: 200,
      headers: {
        link: '</todos?cursor=a%2Fb>; rel="next", <https://example.com/x>; rel="help", <//cdn.example/y>; rel="z"',
        location: "https://example.com/todos/1",
      },
    };
    const api: HttpApi = Object.assign(async () => new Response(null), { handle: async () => reply });

    const result = await createLambdaHttpHandler(api)(httpApiEvent("/dev/todo/list", "dev"));

    expect(result.headers).toMatchObject({
      link: '</dev/todos?cursor=a%2Fb>; rel="next", <https://example.com/x>; rel="help", <//cdn.example/y>; rel="z"',
      location: "https://example.com/todos/1",
    });
  });
});

describe("a reply too large for a Lambda result (6 MB of JSON)", () => {
  const answering = (body: string): HttpApi =>
    Object.assign(async () => new Response(null), {
      handle: async (): Promise<Reply> => ({
        status: 200,
        headers: { "content-type": "application/json", "x-request-id": "req-1" },
        body,
      }),
    });
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields }),
  };
  beforeEach(() => {
    logged.length = 0;
  });

  it.each([
    ["a body of 7 MB", "x".repeat(7 * 1024 * 1024)],
    // 2 MB of quotes: a body of 4 MB (`\"` each), under the limit, but 8 MB of result once the result's JSON
    // escapes both characters again (a body over the limit on its own is refused whether escaping counts or not).
    ["a body whose escaping takes it over", JSON.stringify('"'.repeat(2 * 1024 * 1024))],
    // `\u0001` is 6 bytes of result JSON: 1,048,592 of them are 6,291,552 bytes, under the limit on their own,
    // over it with the status and headers around them.
    ["a body of control characters", "\u0001".repeat(1_048_592)],
  ])("answers 500 with its request id, and logs why, for %s", async (_case, body) => {
    const result = await createLambdaHttpHandler(answering(body), { logger })(payloadV2("GET", "/big"));

    expect(result.statusCode).toBe(500);
    expect(result.headers?.["x-request-id"]).toBe("req-1");
    expect(JSON.parse(result.body ?? "")).toMatchObject({ code: "INTERNAL" });
    expect(logged).toEqual([
      {
        message: expect.stringContaining("too large"),
        fields: expect.objectContaining({ requestId: "req-1", status: 200, resultBytes: expect.any(Number) }),
      },
    ]);
  });

  it("sends a reply just under the limit as it is", async () => {
    const body = "x".repeat(6 * 1024 * 1024 - 1024);
    const result = await createLambdaHttpHandler(answering(body), { logger })(payloadV2("GET", "/big"));

    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(body);
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(6 * 1024 * 1024 + 100);
    expect(logged).toEqual([]);
  });

  it("measures the limit to the byte: 6291556 bytes of result JSON pass, one more does not", () => {
    // `{"body":"..."}`: the body's characters and 11 more bytes.
    const ofBytes = (bytes: number) => ({ body: "x".repeat(bytes - 11) });

    expect(Buffer.byteLength(JSON.stringify(ofBytes(6_291_556)))).toBe(6_291_556);
    expect(oversizeBytesOf(ofBytes(6_291_556))).toBeUndefined();
    expect(oversizeBytesOf(ofBytes(6_291_557))).toBe(6_291_557);
  });

  it("finds no result without a body too large", () => {
    expect(oversizeBytesOf({})).toBeUndefined();
  });

  it("answers 500 for a reply too large that has no headers at all", async () => {
    const api: HttpApi = Object.assign(async () => new Response(null), {
      handle: async (): Promise<Reply> => ({ status: 200, body: "x".repeat(7 * 1024 * 1024) }),
    });

    const result = await createLambdaHttpHandler(api, { logger })(payloadV2("GET", "/big"), {
      awsRequestId: "aws-req-1",
    });

    expect(result.statusCode).toBe(500);
    expect(result.headers?.["x-request-id"]).toBe("aws-req-1");
  });
});
