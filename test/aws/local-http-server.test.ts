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
