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
