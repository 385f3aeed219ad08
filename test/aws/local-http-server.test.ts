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
