import {
  type LocalHttpServer,
  LocalLambdas,
  MAX_RESULT_BYTES,
  startLocalHttpServer,
} from "@anycloud/aws/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What every function answers here: an HTTP API result whose JSON is `bodyBytes` plus a little.
let bodyBytes = 0;
const reported: string[] = [];
let server: LocalHttpServer;

beforeAll(async () => {
  const lambdas = new LocalLambdas(
    async () => ({ handler: async () => ({ statusCode: 200, body: "x".repeat(bodyBytes) }) }),
    (line) => reported.push(line),
  );
  server = await startLocalHttpServer({ port: 0, lambdas, log: () => {} });
});

afterAll(() => server?.close());

describe("the local loop's HTTP API and Invoke API, with a result over Lambda's 6 MB", () => {
  it("passes on a result just under the limit", async () => {
    bodyBytes = MAX_RESULT_BYTES - 100;
    const response = await fetch(`${server.url}/todo/list`);
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBe(bodyBytes);
  });

  it("answers 502 over HTTP, as API Gateway does when Lambda refuses the result", async () => {
    bodyBytes = MAX_RESULT_BYTES;
    const response = await fetch(`${server.url}/todo/list`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: "Internal Server Error" });
    expect(reported.at(-1)).toMatch(/^listTodo returned \d+ bytes: over Lambda's 6 MB/);
  });

  it("reports Lambda's error through the Invoke API", async () => {
    bodyBytes = MAX_RESULT_BYTES;
    const response = await fetch(`${server.url}/2015-03-31/functions/listTodo/invocations`, {
      method: "POST",
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(await response.json()).toMatchObject({
      errorType: "RequestEntityTooLarge",
      errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).",
    });
  });
});

describe("the local loop's HTTP API, passing the path as an HTTP API does", () => {
  let echo: LocalHttpServer;
  beforeAll(async () => {
    // Every function answers with the path fields of the event it was given.
    const lambdas = new LocalLambdas(
      async () => ({
        handler: async (event: { rawPath: string; requestContext: { http: { path: string } } }) => ({
          statusCode: 200,
          body: JSON.stringify({ rawPath: event.rawPath, path: event.requestContext.http.path }),
        }),
      }),
      () => {},
    );
    echo = await startLocalHttpServer({ port: 0, lambdas, log: () => {} });
  });
  afterAll(() => echo?.close());

  it.each([
    ["/hello/Jane%20Doe", "/hello/Jane Doe"],
    ["/hello/100%2541", "/hello/100%41"],
    ["/hello/Zo%C3%AB", "/hello/Zoë"],
    ["/hello/100%zz", "/hello/100%zz"],
  ])("decodes %s into %s", async (sent, decoded) => {
    const response = await fetch(`${echo.url}${sent}?lang=en`);

    expect(await response.json()).toEqual({ rawPath: decoded, path: decoded });
  });
});

describe("the local loop's Invoke API, as Lambda's", () => {
  let invoked = 0;
  let counting: LocalHttpServer;
  beforeAll(async () => {
    const lambdas = new LocalLambdas(
      async () => ({
        handler: async () => {
          invoked += 1;
          return { ok: true };
        },
      }),
      () => {},
    );
    counting = await startLocalHttpServer({ port: 0, lambdas, log: () => {} });
  });
  afterAll(() => counting?.close());

  it("answers a DryRun 204 without invoking the function", async () => {
    const response = await fetch(`${counting.url}/2015-03-31/functions/csvImport/invocations`, {
      method: "POST",
      headers: { "x-amz-invocation-type": "DryRun" },
      body: "{}",
    });

    expect(response.status).toBe(204);
    expect(invoked).toBe(0);
  });

  it("still answers 404 to a DryRun of a function that does not exist", async () => {
    const response = await fetch(`${counting.url}/2015-03-31/functions/nope/invocations`, {
      method: "POST",
      headers: { "x-amz-invocation-type": "DryRun" },
      body: "{}",
    });

    expect(response.status).toBe(404);
  });
});

describe("the local loop's Invoke API, for an asynchronous invocation (X-Amz-Invocation-Type: Event)", () => {
  let failures = 0;
  const attempts: string[] = [];
  const logged: string[] = [];
  let events: LocalHttpServer;
  beforeAll(async () => {
    const lambdas = new LocalLambdas(
      async (name) => ({
        handler: async () => {
          attempts.push(name);
          if (attempts.filter((attempt) => attempt === name).length <= failures)
            throw new Error(`${name} failed`);
          return {
            imported: [
              { status: "COMPLETED", rowsRead: 2, imported: 2, rejected: 0, failed: 0, durationMs: 3 },
            ],
          };
        },
      }),
      () => {},
    );
    events = await startLocalHttpServer({
      port: 0,
      lambdas,
      log: (line) => logged.push(line),
      retryDelaysMs: [0, 0],
    });
  });
  afterAll(() => events?.close());

  const invokeAsync = (name: string, event: unknown) =>
    fetch(`${events.url}/2015-03-31/functions/${name}/invocations`, {
      method: "POST",
      headers: { "x-amz-invocation-type": "Event" },
      body: JSON.stringify(event),
    });

  it("retries a failed one twice, as Lambda does, and prints csvImport's report", async () => {
    attempts.length = 0;
    logged.length = 0;
    failures = 2;
    const event = {
      Records: [{ eventSource: "aws:s3", s3: { bucket: { name: "b" }, object: { key: "my+todos.csv" } } }],
    };

    const response = await invokeAsync("csvImport", event);

    expect(response.status).toBe(202);
    await expect
      .poll(() => logged.join("\n"))
      .toContain("csvImport s3://b/my todos.csv: COMPLETED, 2 imported");
    expect(attempts).toEqual(["csvImport", "csvImport", "csvImport"]);
    expect(logged.join("\n")).toContain(
      "csvImport s3://b/my todos.csv: attempt 2 failed, retrying in 0 ms: csvImport failed",
    );
  });

  it("says when the retries are spent, and what AWS would do with the event", async () => {
    attempts.length = 0;
    logged.length = 0;
    failures = 3;

    expect((await invokeAsync("hello", { from: "an async invoke" })).status).toBe(202);

    await expect
      .poll(() => logged.join("\n"))
      .toContain("hello: attempt 3 failed, no retry left (on AWS the event would be dropped):");
    expect(attempts).toEqual(["hello", "hello", "hello"]);
  });
});

describe("the local loop's Invoke API, answering as Lambda's", () => {
  let lambda: LocalHttpServer;
  beforeAll(async () => {
    // Every function answers with its name and its event, or nothing when the event says so, or throws `fail`.
    const lambdas = new LocalLambdas(
      async (name) => ({
        handler: async (event: { fail?: string; nothing?: boolean }) => {
          if (event.fail !== undefined) throw new TypeError(event.fail);
          return event.nothing ? undefined : { name, event };
        },
      }),
      () => {},
    );
    lambda = await startLocalHttpServer({ port: 0, lambdas, log: () => {} });
  });
  afterAll(() => lambda?.close());

  const invoke = (name: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${lambda.url}/2015-03-31/functions/${name}/invocations`, { method: "POST", headers, body });

  it.each([
    ["hello", "hello"],
    ["anycloud-workshop-dev-hello", "hello"],
    ["arn:aws:lambda:eu-west-1:123456789012:function:anycloud-workshop-prod-csvImport", "csvImport"],
    [encodeURIComponent("arn:aws:lambda:eu-west-1:123456789012:function:listTodo"), "listTodo"],
    ["api/invocations?Qualifier=%24LATEST#", "api"],
  ])("invokes %s as %s, with the body as its event", async (name, invoked) => {
    // (`#` ends the URL's path where the helper appends `/invocations`.)
    const response = await invoke(name, JSON.stringify({ from: "the test" }));

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ name: invoked, event: { from: "the test" } });
  });

  it("passes an empty body as an empty event, and a result of nothing as null", async () => {
    const empty = await invoke("hello");
    const nothing = await invoke("hello", JSON.stringify({ nothing: true }));

    expect(await empty.json()).toEqual({ name: "hello", event: {} });
    expect(nothing.status).toBe(200);
    expect(await nothing.text()).toBe("null");
  });

  it("answers a function's error 200 with X-Amz-Function-Error, its type, message and stack", async () => {
    const response = await invoke("hello", JSON.stringify({ fail: "it broke" }));

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-amz-function-error")).toBe("Unhandled");
    const error = (await response.json()) as { trace: string[] };
    expect(error).toMatchObject({ errorType: "TypeError", errorMessage: "it broke" });
    expect(error.trace[0]).toBe("TypeError: it broke");
    expect(error.trace.length).toBeGreaterThan(1);
  });

  it.each([
    ["nope", "{}", 404, "ResourceNotFoundException", "Function not found: nope"],
    [
      "anycloud-workshop--hello",
      "{}",
      404,
      "ResourceNotFoundException",
      "Function not found: anycloud-workshop--hello",
    ],
    ["hello", "{not json", 400, "InvalidRequestContentException", "Could not parse request body into json"],
    [
      "hello",
      `{}${" ".repeat(6 * 1024 * 1024)}`,
      413,
      "RequestEntityTooLargeException",
      "Request must be smaller than 6291456 bytes for the Invoke operation",
    ],
  ])("refuses %s with %#: its status, error type and message", async (name, body, status, type, message) => {
    const response = await invoke(name, body);

    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-amzn-errortype")).toBe(type);
    expect(await response.json()).toEqual({ Type: "User", message });
  });

  it("answers 404 to a function name that is not valid percent-encoding, not 500", async () => {
    const response = await invoke("hello%zz");

    expect(response.status).toBe(404);
    expect(response.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
  });

  it("refuses an asynchronous invocation over 1 MB, as Lambda does, where a synchronous one may have 6 MB", async () => {
    const body = JSON.stringify({ padding: "x".repeat(1024 * 1024) });

    const response = await invoke("hello", body, { "x-amz-invocation-type": "Event" });
    const synchronous = await invoke("hello", body);

    expect(response.status).toBe(413);
    expect(response.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
    expect(await response.json()).toEqual({
      Type: "User",
      message: `${body.length} byte payload is too large for the Event invocation type (limit 1048576 bytes)`,
    });
    expect(synchronous.status).toBe(200);
  });

  it.each([
    ["GET", "/2015-03-31/functions/hello/invocations"],
    ["POST", "/2015-03-31/functions/hello/invocations/more"],
    ["POST", "/v1/2015-03-31/functions/hello/invocations"],
  ])("takes %s %s as a request of the HTTP API, not an invocation", async (method, path) => {
    const response = await fetch(`${lambda.url}${path}`, { method });

    // The result has no statusCode: the HTTP API sends it as JSON, where the Invoke API would name the function.
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "api", event: { routeKey: "$default" } });
  });
});

describe("the local loop's HTTP API, answering as API Gateway", () => {
  const logged: string[] = [];
  let api: LocalHttpServer;
  beforeAll(async () => {
    // Every function answers with its name and the event's route key; `/todos/boom` throws, `/todos/bad` returns
    // a header Node cannot send.
    const lambdas = new LocalLambdas(
      async (name) => ({
        handler: async (event: { rawPath: string; routeKey: string }) => {
          if (event.rawPath === "/todos/boom") throw new Error("boom");
          if (event.rawPath === "/todos/bad") return { statusCode: 200, headers: { "x-bad": "a\nb" } };
          return { statusCode: 200, body: JSON.stringify({ name, routeKey: event.routeKey }) };
        },
      }),
      () => {},
    );
    api = await startLocalHttpServer({ port: 0, lambdas, log: (line) => logged.push(line) });
  });
  afterAll(() => api?.close());

  it("routes on the path without its query, and logs each request with its status and duration", async () => {
    const started = performance.now();
    const response = await fetch(`${api.url}/hello?name=Jane`);
    const took = performance.now() - started;

    expect(await response.json()).toEqual({ name: "helloHttp", routeKey: "GET /hello" });
    const line = logged.find((seen) => seen.startsWith("GET /hello?name=Jane → 200 in "));
    expect(line).toMatch(/ in \d+ ms$/);
    expect(Number(/ in (\d+) ms$/.exec(line!)![1])).toBeLessThanOrEqual(Math.ceil(took));
  });

  it.each([
    ["a function that throws", "/todos/boom", 500, "Internal Server Error"],
    ["a result Node cannot send", "/todos/bad", 502, "Internal Server Error"],
  ])("answers %s %i, as API Gateway does", async (_, path, status, message) => {
    const response = await fetch(`${api.url}${path}`);

    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ message });
  });

  it("logs the error a function threw, as Lambda's runtime writes it to the function's log", async () => {
    await fetch(`${api.url}/todos/boom`);

    expect(logged).toContainEqual(expect.stringMatching(/^api failed: Error: boom\n {4}at /));
  });

  it("logs why a result could not be sent", async () => {
    await fetch(`${api.url}/todos/bad`);

    expect(logged).toContainEqual(
      expect.stringMatching(/^GET \/todos\/bad: the function's result cannot be sent: /),
    );
  });

  it.each([
    ["an event over Lambda's 6 MB", 7 * 1024 * 1024],
    ["a body over the HTTP API's 10 MB", 10 * 1024 * 1024 + 1],
  ])("answers %s 413", async (_, bytes) => {
    const response = await fetch(`${api.url}/todos`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x".repeat(bytes),
    });

    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ message: "Request Entity Too Large" });
  });

  it("passes on a body of just 10 MB, the HTTP API's limit, in chunks", async () => {
    const response = await fetch(`${api.url}/2015-03-31/functions/hello/invocations`, {
      method: "POST",
      body: "x".repeat(10 * 1024 * 1024),
    });

    // Read whole, and over Lambda's 6 MB: refused by the Invoke API, not by the HTTP API's limit.
    expect(response.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
  });

  it("refuses a body over 10 MB before the Invoke API reads it", async () => {
    const response = await fetch(`${api.url}/2015-03-31/functions/hello/invocations`, {
      method: "POST",
      body: "x".repeat(10 * 1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(response.headers.get("x-amzn-errortype")).toBeNull();
    expect(await response.json()).toEqual({ message: "Request Entity Too Large" });
  });
});

describe("startLocalHttpServer", () => {
  it("rejects when its port is taken, and stops listening once closed", async () => {
    const lambdas = new LocalLambdas(
      async () => ({ handler: async () => null }),
      () => {},
    );
    const first = await startLocalHttpServer({ port: 0, lambdas, log: () => {} });
    const port = Number(new URL(first.url).port);

    await expect(startLocalHttpServer({ port, lambdas, log: () => {} })).rejects.toThrow(/EADDRINUSE/);
    await first.close();
    await expect(fetch(`${first.url}/hello`)).rejects.toThrow();
  });

  it("retries a failed asynchronous invocation after 1 s, then 2 s, unless told otherwise", async () => {
    const logged: string[] = [];
    const lambdas = new LocalLambdas(
      async () => ({
        handler: async () => {
          throw new Error("failed");
        },
      }),
      () => {},
    );
    const server = await startLocalHttpServer({ port: 0, lambdas, log: (line) => logged.push(line) });
    try {
      await fetch(`${server.url}/2015-03-31/functions/hello/invocations`, {
        method: "POST",
        headers: { "x-amz-invocation-type": "Event" },
      });

      await expect.poll(() => logged).toContain("hello: attempt 1 failed, retrying in 1000 ms: failed");
    } finally {
      await server.close();
    }
  });
});
