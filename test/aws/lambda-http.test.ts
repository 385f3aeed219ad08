import { createLambdaHttpHandler, type LambdaHttpOptions } from "@anycloud/adapters-aws/http";
import {
  type CorsOptions,
  createHelloApi,
  createTodoApi,
  type FetchApi,
  InMemoryImportLedger,
  InMemoryTodoRepository,
} from "@anycloud/core";
import type { APIGatewayProxyResult } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { CORS_ORIGINS, describeTodoApiBehaviour } from "../behaviour/todo-api.behaviour.js";
import { HTTP_EVENT_FIXTURES, readEventFixture } from "../support/aws/event-fixtures.js";
import {
  FIXTURE_DOMAINS,
  httpApiEventFrom,
  payloadV1Event,
  responseFromResult,
  sentRequestOf,
} from "../support/aws/lambda-http-events.js";

const newTodoApi = (cors?: CorsOptions) =>
  createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger(), cors });

// ---------------------------------------------------------------------------------------------------------
// Each event shape, from a plain Request, and its result back as a Response: what the behaviour suite needs to
// run core behind the Lambda handler, as API Gateway and Function URLs would.
// ---------------------------------------------------------------------------------------------------------

const { restApi: REST_DOMAIN, httpApi: HTTP_DOMAIN, functionUrl: URL_DOMAIN } = FIXTURE_DOMAINS;

// Each with the stage its URLs have in front of core's paths.
const shapes = {
  // A REST API on stage `prod` with no binaryMediaTypes: text bodies as they are.
  "API Gateway REST (payload 1.0)": {
    eventFrom: async (request: Request) =>
      payloadV1Event(await sentRequestOf(request), {
        api: "REST",
        domain: REST_DOMAIN,
        stage: "prod",
        base64: false,
      }),
    stagePrefix: "/prod",
  },
  // An HTTP API on stage `dev`, sending every body base64-encoded to exercise decoding.
  "API Gateway HTTP API (payload 2.0, named stage)": {
    eventFrom: (request: Request) =>
      httpApiEventFrom(request, { domain: HTTP_DOMAIN, stage: "dev", base64Bodies: true }),
    stagePrefix: "/dev",
  },
  "a Lambda Function URL": {
    eventFrom: (request: Request) => httpApiEventFrom(request, { domain: URL_DOMAIN }),
    stagePrefix: "",
  },
};

// With core's CORS on, as API Gateway or a Function URL without CORS settings of their own pass it on (with CORS
// settings, they answer preflights themselves and drop a function's CORS headers, as apps/aws's HTTP API does).
for (const [shape, { eventFrom, stagePrefix }] of Object.entries(shapes)) {
  describeTodoApiBehaviour(
    `AWS Lambda behind ${shape}`,
    async () => {
      const handler = createLambdaHttpHandler(newTodoApi({ origins: CORS_ORIGINS }));
      return {
        invoke: async (request) => responseFromResult(await handler(await eventFrom(request)), stagePrefix),
      };
    },
    { cors: true },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures: real-shaped events, and the request core sees for each.
// ---------------------------------------------------------------------------------------------------------

interface SeenRequest {
  format: "1.0" | "2.0";
  method: string;
  origin: string;
  pathname: string;
  query: [string, string][];
  headers?: Record<string, string | null>;
  body?: string;
  options?: LambdaHttpOptions;
}

const CSV = "task,name,dueDate\nBuy café au lait,Zoë,2026-01-02\n";
const TODO_ID = "6f1c5a4e-1111-4a2b-9c3d-123456789abc";

// What core sees of every fixture of a source, unless its entry says otherwise.
type FromSource = Pick<SeenRequest, "format" | "origin" | "query">;
const FROM_REST_API: FromSource = { format: "1.0", origin: `https://${REST_DOMAIN}`, query: [] };
const FROM_HTTP_API: FromSource = { format: "2.0", origin: `https://${HTTP_DOMAIN}`, query: [] };
const FROM_FUNCTION_URL: FromSource = { format: "2.0", origin: `https://${URL_DOMAIN}`, query: [] };

// The query of the GET fixtures of a REST API and an HTTP API: a repeated name, and values to decode.
const TAGGED_TODOS_QUERY: [string, string][] = [
  ["limit", "2"],
  ["tag", "home"],
  ["tag", "work & play"],
  ["q", "café"],
];

const EXPECTED: Record<string, SeenRequest> = {
  "apigw-rest/get-with-multivalue-query.json": {
    ...FROM_REST_API,
    method: "GET",
    pathname: "/todos",
    query: TAGGED_TODOS_QUERY,
    headers: { cookie: "session=abc123; theme=dark", "x-trace": "one, two", "user-agent": "curl/8.5.0" },
  },
  "apigw-rest/post-json.json": {
    ...FROM_REST_API,
    method: "POST",
    pathname: "/todo/add",
    headers: { "content-type": "application/json" },
    body: '{\r\n\t"task": "check serverless.com docs",\r\n\t"name": "John Doe",\r\n\t"dueDate": "01-11-2017"\r\n}',
  },
  "apigw-rest/base64-body.json": {
    ...FROM_REST_API,
    method: "POST",
    pathname: "/todos/import",
    query: [["quote", "double"]],
    headers: { "content-type": "text/csv; charset=utf-8", "idempotency-key": "upload-42" },
    body: CSV,
  },
  "apigw-rest/stage-prefixed.json": { ...FROM_REST_API, method: "GET", pathname: "/hello/Jane%20Doe" },
  "apigw-rest/custom-domain-base-path.json": {
    ...FROM_REST_API,
    method: "DELETE",
    origin: "https://api.example.com",
    pathname: `/todos/${TODO_ID}`,
    headers: { "if-match": '"3"' },
    options: { basePath: "/v1" },
  },
  "apigw-rest/head.json": { ...FROM_REST_API, method: "HEAD", pathname: "/health" },
  "apigw-http/get.json": {
    ...FROM_HTTP_API,
    method: "GET",
    pathname: "/todos",
    query: TAGGED_TODOS_QUERY,
    headers: { "x-trace": "one,two", cookie: null },
  },
  "apigw-http/post-json.json": {
    ...FROM_HTTP_API,
    method: "POST",
    pathname: "/todos",
    headers: { "content-type": "application/json" },
    body: '{"task":"Write the README","dueDate":"2026-12-01"}',
  },
  "apigw-http/cookies.json": {
    ...FROM_HTTP_API,
    method: "GET",
    pathname: "/health",
    headers: { cookie: "session=abc123; theme=dark" },
  },
  "apigw-http/named-stage.json": {
    ...FROM_HTTP_API,
    method: "GET",
    pathname: "/hello/Jane%20Doe",
    query: [
      ["lang", "en"],
      ["lang", "fr"],
    ],
  },
  "apigw-http/base64-body.json": {
    ...FROM_HTTP_API,
    method: "POST",
    pathname: "/todos/import",
    query: [["quote", "double"]],
    headers: { "content-type": "text/csv" },
    body: CSV,
  },
  // An HTTP API set to payload 1.0: the HTTP API's domain, the REST API's format.
  "apigw-http/payload-v1-named-stage.json": {
    ...FROM_HTTP_API,
    format: "1.0",
    method: "PATCH",
    pathname: `/todos/${TODO_ID}`,
    headers: { "content-type": "application/merge-patch+json" },
    body: '{"checked":true}',
  },
  "function-url/get.json": {
    ...FROM_FUNCTION_URL,
    method: "GET",
    pathname: "/hello/Jane%20Doe",
    query: [["lang", "en"]],
    headers: { cookie: "session=abc123", "x-amzn-tls-version": "TLSv1.3" },
  },
  "function-url/post.json": {
    ...FROM_FUNCTION_URL,
    method: "POST",
    pathname: "/todos",
    headers: { "content-type": "application/json" },
    body: '{"task":"Write the README","dueDate":"2026-12-01"}',
  },
};

/** An API that records the request it was given and answers with `response`. */
function capturingApi(response: () => Response = () => new Response(null, { status: 204 })) {
  const requests: Request[] = [];
  const api: FetchApi = async (request) => {
    requests.push(request);
    return response();
  };
  return { api, requests };
}

describe("the Lambda HTTP handler, fed real-shaped events", () => {
  it("has an expectation for every fixture", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(HTTP_EVENT_FIXTURES);
  });

  describe.each(HTTP_EVENT_FIXTURES)("%s", (fixture) => {
    const expected = EXPECTED[fixture]!;

    it("gives core the request the client sent, without stage or base path", async () => {
      const { api, requests } = capturingApi();
      const handler = createLambdaHttpHandler(api, expected.options);

      await handler(readEventFixture(fixture));

      expect(requests).toHaveLength(1);
      const request = requests[0]!;
      const url = new URL(request.url);
      expect(request.method).toBe(expected.method);
      expect(url.origin).toBe(expected.origin);
      expect(url.pathname).toBe(expected.pathname);
      expect([...url.searchParams]).toEqual(expected.query);
      for (const [name, value] of Object.entries(expected.headers ?? {}))
        expect(request.headers.get(name)).toBe(value);
      const body =
        request.body === null ? undefined : Buffer.from(await request.arrayBuffer()).toString("utf8");
      expect(body).toBe(expected.body);
    });

    it(`answers in payload format ${expected.format}, cookies included`, async () => {
      const { api } = capturingApi(() => {
        const headers = new Headers({ "content-type": "application/json" });
        headers.append("set-cookie", "a=1; Path=/");
        headers.append("set-cookie", "b=2; Path=/; HttpOnly");
        return new Response('{"ok":true}', { status: 200, headers });
      });
      const handler = createLambdaHttpHandler(api, expected.options);

      const result = await handler(readEventFixture(fixture));

      const cookies = ["a=1; Path=/", "b=2; Path=/; HttpOnly"];
      expect(result).toMatchObject({ statusCode: 200, headers: { "content-type": "application/json" } });
      expect(result.headers).not.toHaveProperty("set-cookie");
      if (expected.format === "1.0")
        expect(result).toMatchObject({ multiValueHeaders: { "set-cookie": cookies } });
      else expect(result).toMatchObject({ cookies });
      expect(result).not.toHaveProperty(expected.format === "1.0" ? "cookies" : "multiValueHeaders");
      if (expected.method === "HEAD") expect(result).toMatchObject({ body: "", isBase64Encoded: false });
      else expect(result).toMatchObject({ body: '{"ok":true}', isBase64Encoded: false });
    });
  });

  it("imports the workshop CSV sent base64-encoded through a REST API", async () => {
    const handler = createLambdaHttpHandler(newTodoApi());

    const result = await handler(readEventFixture("apigw-rest/base64-body.json"));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toMatchObject({ status: "COMPLETED", imported: 1 });
  });

  it("greets the decoded name under an HTTP API's named stage", async () => {
    const handler = createLambdaHttpHandler(newTodoApi());

    const result = await handler(readEventFixture("apigw-http/named-stage.json"));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toMatchObject({
      message: "Hello Jane Doe !",
      input: { path: "/hello/Jane%20Doe", query: { lang: "fr" } },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Responses: bodies, encodings and headers in each format.
// ---------------------------------------------------------------------------------------------------------

const FORMATS = {
  "1.0": "apigw-rest/post-json.json",
  "2.0": "apigw-http/post-json.json",
} as const;

async function resultFor(
  response: Response,
  format: keyof typeof FORMATS,
  options?: LambdaHttpOptions,
  change: (event: Record<string, unknown>) => void = () => {},
) {
  const event = readEventFixture(FORMATS[format]);
  change(event);
  return createLambdaHttpHandler(async () => response, options)(event);
}

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);

describe.each(Object.keys(FORMATS) as (keyof typeof FORMATS)[])("a payload %s result", (format) => {
  it("carries a binary body base64-encoded", async () => {
    const result = await resultFor(new Response(PNG, { headers: { "content-type": "image/png" } }), format);

    expect(result).toMatchObject({ isBase64Encoded: true, body: Buffer.from(PNG).toString("base64") });
  });

  it.each([
    "text/csv; charset=utf-8",
    "application/json",
    "application/problem+json",
    "image/svg+xml",
    "application/x-www-form-urlencoded",
  ])("carries a %s body as text", async (contentType) => {
    const result = await resultFor(
      new Response("día,1\n", { headers: { "content-type": contentType } }),
      format,
    );

    expect(result).toMatchObject({ isBase64Encoded: false, body: "día,1\n" });
  });

  it.each([
    ["a type listed in binaryMediaTypes", { "content-type": "text/csv" }, ["text/csv"]],
    ["a wildcard in binaryMediaTypes", { "content-type": "text/csv" }, ["text/*"]],
    ["a compressed body", { "content-type": "application/json", "content-encoding": "gzip" }, []],
    ["a text body in another charset", { "content-type": "text/plain; charset=iso-8859-1" }, []],
    ["a body without a content type", {}, []],
  ])("base64-encodes %s", async (_, headers: Record<string, string>, binaryMediaTypes: string[]) => {
    const bytes = Uint8Array.from([0x64, 0xed, 0x61]);

    const result = await resultFor(new Response(bytes, { headers }), format, { binaryMediaTypes });

    expect(result).toMatchObject({ isBase64Encoded: true, body: Buffer.from(bytes).toString("base64") });
  });

  it("answers an empty body as an empty string, not base64", async () => {
    const result = await resultFor(new Response(null, { status: 204, headers: { etag: '"2"' } }), format);

    expect(result).toMatchObject({
      statusCode: 204,
      body: "",
      isBase64Encoded: false,
      headers: { etag: '"2"' },
    });
  });

  it("sends no body for HEAD, keeping the headers", async () => {
    const response = new Response('{"a":1}', {
      headers: { "content-type": "application/json", etag: '"1"' },
    });

    const result = await resultFor(response, format, {}, (event) => {
      if (format === "1.0") event.httpMethod = "HEAD";
      else (event.requestContext as { http: { method: string } }).http.method = "HEAD";
      delete event.body;
    });

    expect(result).toMatchObject({ statusCode: 200, body: "", headers: { etag: '"1"' } });
  });

  it("keeps a single-valued header joined as fetch joins it", async () => {
    const headers = new Headers({ "content-type": "text/plain" });
    headers.append("vary", "accept");
    headers.append("vary", "origin");

    const result = await resultFor(new Response("x", { headers }), format);

    expect(result.headers).toMatchObject({ vary: "accept, origin" });
  });
});

describe("a v1 result with one cookie", () => {
  it("still puts set-cookie in multiValueHeaders only", async () => {
    const result = (await resultFor(
      new Response("x", { headers: { "content-type": "text/plain", "set-cookie": "a=1" } }),
      "1.0",
    )) as APIGatewayProxyResult;

    expect(result.multiValueHeaders).toEqual({ "set-cookie": ["a=1"] });
    expect(result.headers).not.toHaveProperty("set-cookie");
  });
});

/** A body of `bytes` zeros, streamed 64 KiB at a time as it is read; counts what was read and whether it was cancelled. */
function streamedBody(bytes: number) {
  const CHUNK = 64 * 1024;
  const source = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (source.pulled >= bytes) return controller.close();
      source.pulled += CHUNK;
      controller.enqueue(new Uint8Array(CHUNK));
    },
    cancel() {
      source.cancelled = true;
    },
  });
  return { body, source };
}

describe("a fetch-style API streaming a body longer than a Lambda result holds", () => {
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields }),
  };
  const FILE_BYTES = 16 * 1024 * 1024;

  it.each(Object.keys(FORMATS) as (keyof typeof FORMATS)[])(
    "stops reading it past the limit and answers 500, logging why (payload %s)",
    async (format) => {
      logged.length = 0;
      const { body, source } = streamedBody(FILE_BYTES);
      const response = new Response(body, { headers: { "content-type": "application/octet-stream" } });

      const result = await resultFor(response, format, { logger });

      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body ?? "")).toMatchObject({ code: "INTERNAL" });
      expect(logged).toEqual([
        {
          message: expect.stringContaining("too large"),
          fields: expect.objectContaining({ status: 200, maxBytes: 6 * 1024 * 1024 + 100 }),
        },
      ]);
      // Read no further than the limit (and the chunks already on their way), not the whole file into memory.
      expect(source.pulled).toBeLessThan(7 * 1024 * 1024);
      expect(source.cancelled).toBe(true);
    },
  );

  it.each(Object.keys(FORMATS) as (keyof typeof FORMATS)[])(
    "answers HEAD with the headers without reading the body (payload %s)",
    async (format) => {
      const { body, source } = streamedBody(FILE_BYTES);
      const response = new Response(body, {
        headers: { "content-type": "application/octet-stream", "set-cookie": "seen=1" },
      });

      const result = await resultFor(response, format, {}, (event) => {
        if (format === "1.0") event.httpMethod = "HEAD";
        else (event.requestContext as { http: { method: string } }).http.method = "HEAD";
        delete event.body;
      });

      expect(result).toMatchObject({
        statusCode: 200,
        body: "",
        headers: { "content-type": "application/octet-stream" },
      });
      expect(JSON.stringify(result)).toContain("seen=1");
      expect(source.pulled).toBeLessThan(1024 * 1024);
      expect(source.cancelled).toBe(true);
    },
  );
});

// ---------------------------------------------------------------------------------------------------------
// Malformed events: a 400 problem in the event's format, never a throw, and core is not called.
// ---------------------------------------------------------------------------------------------------------

const restEvent = () => readEventFixture("apigw-rest/post-json.json");
const httpApiEvent = () => readEventFixture("apigw-http/post-json.json");
const withChange = (event: Record<string, unknown>, change: (event: Record<string, unknown>) => void) => {
  change(event);
  return event;
};

describe("a malformed event", () => {
  it.each<[string, unknown, "1.0" | "2.0"]>([
    ["null", null, "1.0"],
    ["undefined", undefined, "1.0"],
    ["an empty object", {}, "1.0"],
    ["a string", "GET /todos", "1.0"],
    ["a number", 42, "1.0"],
    ["an array", [{ httpMethod: "GET", path: "/" }], "1.0"],
    ["a method without a path", { httpMethod: "GET" }, "1.0"],
    ["a path without a method", { path: "/todos" }, "1.0"],
    ["a relative path", { httpMethod: "GET", path: "todos" }, "1.0"],
    [
      "a body that is not a string",
      withChange(restEvent(), (e) => Object.assign(e, { body: { task: "x" } })),
      "1.0",
    ],
    [
      "invalid base64",
      withChange(restEvent(), (e) => Object.assign(e, { body: "not base64!", isBase64Encoded: true })),
      "1.0",
    ],
    [
      "base64 without its padding",
      withChange(restEvent(), (e) => Object.assign(e, { body: "YWJj ZA", isBase64Encoded: true })),
      "1.0",
    ],
    [
      "isBase64Encoded as a string",
      withChange(restEvent(), (e) => Object.assign(e, { isBase64Encoded: "true" })),
      "1.0",
    ],
    [
      "headers that are a list",
      withChange(restEvent(), (e) => Object.assign(e, { multiValueHeaders: null, headers: ["a"] })),
      "1.0",
    ],
    [
      "a header value with a line break",
      withChange(restEvent(), (e) => Object.assign(e, { multiValueHeaders: { "x-a": ["1\r\nx-b: 2"] } })),
      "1.0",
    ],
    [
      "a forbidden method",
      withChange(restEvent(), (e) => Object.assign(e, { httpMethod: "CONNECT" })),
      "1.0",
    ],
    [
      // An ALB's event looks like payload 1.0, but its query arrives still encoded, and with multi-value headers
      // on, ALB reads only the result's multiValueHeaders: served as 1.0, its query would be encoded twice.
      "an Application Load Balancer's event",
      withChange(restEvent(), (e) =>
        Object.assign(e, {
          requestContext: {
            elb: { targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1" },
          },
        }),
      ),
      "1.0",
    ],
    [
      "a v2 event without a method",
      withChange(httpApiEvent(), (e) => Object.assign(e, { requestContext: {} })),
      "2.0",
    ],
    [
      "a v2 event without rawPath",
      withChange(httpApiEvent(), (e) => Object.assign(e, { rawPath: undefined })),
      "2.0",
    ],
    [
      "v2 invalid base64",
      withChange(httpApiEvent(), (e) => Object.assign(e, { body: "%%%%", isBase64Encoded: true })),
      "2.0",
    ],
    [
      "v2 cookies that are not strings",
      withChange(httpApiEvent(), (e) => Object.assign(e, { cookies: [1, 2] })),
      "2.0",
    ],
  ])("answers 400 MALFORMED_EVENT to %s", async (_, event, format) => {
    const { api, requests } = capturingApi();
    const handler = createLambdaHttpHandler(api);

    const result = await handler(event, { awsRequestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd" });

    expect(requests).toEqual([]);
    expect(result).toMatchObject({
      statusCode: 400,
      headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
      isBase64Encoded: false,
    });
    expect(JSON.parse(result.body!)).toMatchObject({
      status: 400,
      code: "MALFORMED_EVENT",
      title: "Bad Request",
      requestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
      detail: expect.any(String),
    });
    if (format === "2.0") expect(result).not.toHaveProperty("multiValueHeaders");
    if (format === "1.0") expect(result).not.toHaveProperty("cookies");
  });

  it("answers a malformed HEAD request without a body, in either format", async () => {
    const handler = createLambdaHttpHandler(capturingApi().api);
    const badHeader = { "x-a": "\u2713" };

    const v1 = await handler(
      withChange(restEvent(), (e) =>
        Object.assign(e, { httpMethod: "HEAD", multiValueHeaders: null, headers: badHeader }),
      ),
    );
    const v2 = await handler(
      withChange(httpApiEvent(), (e) => {
        (e.requestContext as { http: { method: string } }).http.method = "head";
        e.headers = badHeader;
      }),
    );

    for (const result of [v1, v2]) {
      expect(result.statusCode).toBe(400);
      expect(result.body).toBe("");
    }
  });

  it.each<[string, unknown, RegExp]>([
    ["an event that is no object", null, /not an object/],
    [
      "no method",
      withChange(restEvent(), (e) => Object.assign(e, { httpMethod: undefined })),
      /no HTTP method/,
    ],
    [
      "an empty method",
      withChange(restEvent(), (e) => Object.assign(e, { httpMethod: "" })),
      /no HTTP method/,
    ],
    [
      "a method that is no token",
      withChange(restEvent(), (e) => Object.assign(e, { httpMethod: "GET /" })),
      /not a valid method/,
    ],
    [
      "a forbidden method",
      withChange(restEvent(), (e) => Object.assign(e, { httpMethod: "trace" })),
      /not allowed/,
    ],
    [
      "a port out of range",
      withChange(httpApiEvent(), (e) => Object.assign(e, { headers: { host: "example.com:99999" } })),
      /valid URL/,
    ],
    [
      "a path that is no Unicode",
      withChange(httpApiEvent(), (e) => Object.assign(e, { rawPath: "/a\uD800b" })),
      /not valid Unicode/,
    ],
    [
      "a body that is no string",
      withChange(restEvent(), (e) => Object.assign(e, { body: { task: "x" } })),
      /body is not a string/,
    ],
    [
      "isBase64Encoded as a string",
      withChange(restEvent(), (e) => Object.assign(e, { isBase64Encoded: "true" })),
      /isBase64Encoded is not a boolean/,
    ],
    [
      "base64 of a length no multiple of 4",
      withChange(restEvent(), (e) => Object.assign(e, { body: "YWJjZA", isBase64Encoded: true })),
      /not valid base64/,
    ],
    [
      "headers that are a list",
      withChange(restEvent(), (e) => Object.assign(e, { multiValueHeaders: null, headers: ["a"] })),
      /headers are not an object/,
    ],
    [
      "a multiValueHeaders entry that is no list",
      withChange(restEvent(), (e) => Object.assign(e, { multiValueHeaders: { "x-a": "1" } })),
      /multiValueHeaders entry/,
    ],
    [
      "a multiValueQueryStringParameters entry that is no list",
      withChange(restEvent(), (e) => Object.assign(e, { multiValueQueryStringParameters: { a: "1" } })),
      /multiValueQueryStringParameters entry/,
    ],
    [
      "a query value that is no string",
      withChange(restEvent(), (e) =>
        Object.assign(e, { multiValueQueryStringParameters: null, queryStringParameters: { a: 1 } }),
      ),
      /query parameter value/,
    ],
    [
      "an Application Load Balancer's event",
      withChange(restEvent(), (e) => Object.assign(e, { requestContext: { elb: {} } })),
      /Load Balancer/,
    ],
    [
      "a rawQueryString that is no string",
      withChange(httpApiEvent(), (e) => Object.assign(e, { rawQueryString: 42 })),
      /rawQueryString/,
    ],
    [
      "a header name that is no token",
      withChange(restEvent(), (e) => Object.assign(e, { multiValueHeaders: { "x a": ["1"] } })),
      /header name is not a valid field name/,
    ],
    [
      "a header value that is no string",
      withChange(restEvent(), (e) => Object.assign(e, { multiValueHeaders: { "x-a": [1] } })),
      /header value is not a string/,
    ],
    [
      "a header value with a line break",
      withChange(restEvent(), (e) => Object.assign(e, { multiValueHeaders: { "x-a": ["1\r\nx-b: 2"] } })),
      /header value holds a line break/,
    ],
    [
      "cookies of which one is no string",
      withChange(httpApiEvent(), (e) => Object.assign(e, { cookies: ["a=1", 2] })),
      /cookies/,
    ],
  ])("names what is wrong in its detail: %s", async (_, event, detail) => {
    const result = await createLambdaHttpHandler(capturingApi().api)(event);

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!).detail).toMatch(detail);
  });

  it("answers 400 to an event that fails in a way no check names: a query parameter that is no Unicode", async () => {
    const { api, requests } = capturingApi();
    const event = withChange(restEvent(), (e) =>
      Object.assign(e, { multiValueQueryStringParameters: null, queryStringParameters: { "a\uD800": "1" } }),
    );

    const result = await createLambdaHttpHandler(api)(event);

    expect(requests).toEqual([]);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!)).toMatchObject({
      code: "MALFORMED_EVENT",
      detail: "The event could not be read as an HTTP request.",
    });
  });

  it("says which field is wrong", async () => {
    const handler = createLambdaHttpHandler(capturingApi().api);

    const result = await handler({ httpMethod: "GET" });

    expect(JSON.parse(result.body!).detail).toMatch(/path/);
  });
});

describe("an event with fields left out or empty, as hand-written and test events have them", () => {
  const urlAndCookieOf = async (event: unknown) => {
    const { api, requests } = capturingApi();

    const result = await createLambdaHttpHandler(api)(event);

    expect(result.statusCode).toBe(204);
    return { url: requests[0]!.url, cookie: requests[0]!.headers.get("cookie") };
  };

  it("serves a 1.0 event with neither headers nor multiValueHeaders", async () => {
    const { url } = await urlAndCookieOf(
      withChange(restEvent(), (e) => Object.assign(e, { headers: null, multiValueHeaders: null })),
    );

    expect(new URL(url).pathname).toBe(restEvent().path);
  });

  // null as API Gateway's JSON has it; undefined as an event built in code (a test, a direct invoke) may.
  it.each([null, undefined])(
    "skips %s entries of the multi-value maps, and %s values of the single-value query",
    async (absent) => {
      const multi = await urlAndCookieOf(
        withChange(restEvent(), (e) =>
          Object.assign(e, {
            multiValueHeaders: { host: ["api.example.com"], "x-a": absent },
            multiValueQueryStringParameters: { a: absent, b: ["1"] },
          }),
        ),
      );
      const single = await urlAndCookieOf(
        withChange(restEvent(), (e) =>
          Object.assign(e, {
            multiValueQueryStringParameters: null,
            queryStringParameters: { a: absent, b: "1" },
          }),
        ),
      );

      expect(new URL(multi.url).search).toBe("?b=1");
      expect(new URL(single.url).search).toBe("?b=1");
    },
  );

  it("reads a 1.0 event's single-value maps when its multi-value maps are no objects", async () => {
    const { api, requests } = capturingApi();
    const event = withChange(restEvent(), (e) =>
      Object.assign(e, {
        headers: { "X-Trace": "solo" },
        multiValueHeaders: [["x"]],
        queryStringParameters: { q: "1" },
        multiValueQueryStringParameters: "a",
      }),
    );

    const result = await createLambdaHttpHandler(api)(event);

    expect(result.statusCode).toBe(204);
    expect(requests[0]!.headers.get("x-trace")).toBe("solo");
    expect(requests[0]!.headers.has("0")).toBe(false);
    expect(new URL(requests[0]!.url).search).toBe("?q=1");
  });

  it("joins every value of a multi-value query, in order, with &", async () => {
    const { url } = await urlAndCookieOf(
      withChange(restEvent(), (e) =>
        Object.assign(e, { multiValueQueryStringParameters: { a: ["1", "2"], b: ["x y"] } }),
      ),
    );

    expect(new URL(url).search).toBe("?a=1&a=2&b=x%20y");
  });

  it("reads a 2.0 body without isBase64Encoded as text", async () => {
    const { api, requests } = capturingApi();

    await createLambdaHttpHandler(api)(
      withChange(httpApiEvent(), (e) => Object.assign(e, { isBase64Encoded: undefined })),
    );

    expect(await requests[0]!.json()).toEqual({ task: "Write the README", dueDate: "2026-12-01" });
  });

  it("serves a 2.0 event without rawQueryString or cookies, and sends no cookie header for an empty list", async () => {
    const without = await urlAndCookieOf(
      withChange(httpApiEvent(), (e) => Object.assign(e, { rawQueryString: undefined, cookies: undefined })),
    );
    const empty = await urlAndCookieOf(withChange(httpApiEvent(), (e) => Object.assign(e, { cookies: [] })));
    const nulled = await urlAndCookieOf(
      withChange(httpApiEvent(), (e) => Object.assign(e, { cookies: null })),
    );

    expect(new URL(without.url).search).toBe("");
    expect(without.cookie).toBeNull();
    expect(empty.cookie).toBeNull();
    expect(nulled.cookie).toBeNull();
  });

  it("reads a 2.0 event that names no domain as an HTTP API's, whose rawPath is decoded", async () => {
    const { url } = await urlAndCookieOf(
      withChange(httpApiEvent(), (e) => {
        Object.assign(e, { rawPath: "/hello/100%41", headers: {} });
        delete (e.requestContext as Record<string, unknown>).domainName;
      }),
    );

    expect(new URL(url).pathname).toBe("/hello/100%2541");
  });
});

describe("paths as each service sends them", () => {
  // An HTTP API decodes the path before the event (`rawPath` in 2.0, `path` in 1.0); a REST API and a Function
  // URL pass it as the client sent it, percent-encoded.
  const sources = {
    "an HTTP API (2.0)": (path: string) =>
      withChange(httpApiEvent(), (e) => Object.assign(e, { rawPath: path })),
    "an HTTP API (1.0)": (path: string) =>
      withChange(readEventFixture("apigw-http/payload-v1-named-stage.json"), (e) =>
        Object.assign(e, { path }),
      ),
    "a REST API": (path: string) => withChange(restEvent(), (e) => Object.assign(e, { path })),
    "a Function URL": (path: string) =>
      withChange(readEventFixture("function-url/post.json"), (e) => Object.assign(e, { rawPath: path })),
  };
  const pathSeen = async (event: Record<string, unknown>) => {
    const { api, requests } = capturingApi();
    await createLambdaHttpHandler(api)(event);
    return new URL(requests[0]!.url);
  };
  /** Each source's event for `path` reaches core as `pathname`, with no query. */
  const expectPathSeen = async (from: (keyof typeof sources)[], path: string, pathname: string) => {
    for (const source of from) {
      const url = await pathSeen(sources[source](path));

      expect(url.pathname, source).toBe(pathname);
      expect(url.search, source).toBe("");
    }
  };

  it.each([
    ["a space", "/hello/Jane Doe", "/hello/Jane%20Doe"],
    ["a question mark, which must not start a query", "/hello/who?", "/hello/who%3F"],
    ["a hash", "/hello/a#b", "/hello/a%23b"],
    ["a percent sign", "/hello/100%", "/hello/100%25"],
    ["a percent sign before two hex digits (a client's %2541)", "/hello/100%41", "/hello/100%2541"],
    ["a client's %252e%252e, not as a .. segment", "/public/%2e%2e/admin", "/public/%252e%252e/admin"],
    ["non-ASCII", "/hello/Zoë", "/hello/Zo%C3%AB"],
  ])("encodes what an HTTP API decoded: %s", async (_, decoded, pathname) => {
    await expectPathSeen(["an HTTP API (2.0)", "an HTTP API (1.0)"], decoded, pathname);
  });

  it.each([
    ["an encoded path", "/hello/Jane%20Doe", "/hello/Jane%20Doe"],
    ["an encoded percent sign", "/hello/100%2541", "/hello/100%2541"],
    ["a space a hand-written event left decoded", "/hello/Jane Doe", "/hello/Jane%20Doe"],
    ["a bare percent sign", "/hello/100%", "/hello/100%25"],
    ["a question mark a hand-written event left decoded", "/hello/who?", "/hello/who%3F"],
  ])("keeps the encoding of a REST API or Function URL path: %s", async (_, sent, pathname) => {
    await expectPathSeen(["a REST API", "a Function URL"], sent, pathname);
  });

  it("greets the name a client sent as /hello/100%2541, whichever service passed it", async () => {
    const handler = createLambdaHttpHandler(createHelloApi());
    /** The message of `event` made a GET without a body. */
    const greeting = async (event: Record<string, unknown>) => {
      const get = withChange(event, (e) => {
        if (e.version === "2.0") (e.requestContext as { http: { method: string } }).http.method = "GET";
        else e.httpMethod = "GET";
        delete e.body;
      });
      return JSON.parse((await handler(get)).body!).message;
    };

    expect(await greeting(sources["an HTTP API (2.0)"]("/hello/100%41"))).toBe("Hello 100%41 !");
    expect(await greeting(sources["a Function URL"]("/hello/100%2541"))).toBe("Hello 100%41 !");
    expect(await greeting(sources["a REST API"]("/hello/100%2541"))).toBe("Hello 100%41 !");
  });

  it.each([
    ["an HTTP API (2.0) on its $default stage", sources["an HTTP API (2.0)"]],
    [
      "an HTTP API (1.0) on its $default stage",
      (path: string) =>
        withChange(sources["an HTTP API (1.0)"](path), (e) =>
          Object.assign(e.requestContext as object, { stage: "$default" }),
        ),
    ],
  ])(
    "keeps the first segment of /undefined/todos from %s, whose event names no stage",
    async (_, eventOf) => {
      expect((await pathSeen(eventOf("/undefined/todos"))).pathname).toBe("/undefined/todos");
    },
  );

  it("reads a 2.0 event whose domainName is no string as naming no domain: an HTTP API's, path decoded", async () => {
    const event = withChange(sources["a Function URL"]("/hello/100%41"), (e) => {
      e.headers = {};
      (e.requestContext as Record<string, unknown>).domainName = [URL_DOMAIN];
    });

    expect((await pathSeen(event)).pathname).toBe("/hello/100%2541");
  });

  it("reads an HTTP API's custom domain that merely holds a Function URL's name as no Function URL", async () => {
    const event = withChange(sources["an HTTP API (2.0)"]("/hello/100%41"), (e) => {
      const domainName = `${URL_DOMAIN}.example.com`;
      e.headers = { host: domainName };
      (e.requestContext as Record<string, unknown>).domainName = domainName;
    });

    expect((await pathSeen(event)).pathname).toBe("/hello/100%2541");
  });

  it("strips a base path only at a segment boundary", async () => {
    const { api, requests } = capturingApi();
    const handler = createLambdaHttpHandler(api, { basePath: "v1/" });

    await handler(withChange(restEvent(), (e) => Object.assign(e, { path: "/v1" })));
    await handler(withChange(restEvent(), (e) => Object.assign(e, { path: "/v1x/todos" })));

    expect(requests.map((request) => new URL(request.url).pathname)).toEqual(["/", "/v1x/todos"]);
  });

  it("leaves a REST path that merely starts with the stage name", async () => {
    const { api, requests } = capturingApi();
    const event = withChange(restEvent(), (e) => Object.assign(e, { path: "/prod/items" }));

    await createLambdaHttpHandler(api)(event);

    expect(new URL(requests[0]!.url).pathname).toBe("/prod/items");
  });

  it("builds the URL from x-forwarded-proto and the Host header, and falls back to the domain name", async () => {
    const { api, requests } = capturingApi();
    const handler = createLambdaHttpHandler(api);

    await handler(
      withChange(httpApiEvent(), (e) =>
        Object.assign(e, { headers: { "x-forwarded-proto": "http", host: "localhost:3000" } }),
      ),
    );
    await handler(withChange(httpApiEvent(), (e) => Object.assign(e, { headers: {} })));
    await handler({ httpMethod: "GET", path: "/health" });

    expect(requests.map((request) => new URL(request.url).origin)).toEqual([
      "http://localhost:3000",
      `https://${HTTP_DOMAIN}`,
      "https://localhost",
    ]);
  });

  it("does not build the URL from a Host header that is not a host name", async () => {
    const { api, requests } = capturingApi();
    const event = withChange(httpApiEvent(), (e) =>
      Object.assign(e, { headers: { host: "evil.example/admin?x=" } }),
    );

    await createLambdaHttpHandler(api)(event);

    expect(new URL(requests[0]!.url).href).toBe(`https://${HTTP_DOMAIN}/todos`);
  });

  it("reads a v1 event's single-value maps when its multi-value maps are empty", async () => {
    const { api, requests } = capturingApi();
    const event = withChange(restEvent(), (e) =>
      Object.assign(e, {
        headers: { "X-Trace": "solo" },
        multiValueHeaders: {},
        queryStringParameters: { q: "a b" },
        multiValueQueryStringParameters: {},
      }),
    );

    await createLambdaHttpHandler(api)(event);

    expect(requests[0]!.headers.get("x-trace")).toBe("solo");
    expect(new URL(requests[0]!.url).searchParams.get("q")).toBe("a b");
  });

  it("ignores the body API Gateway passes along with a GET", async () => {
    const { api, requests } = capturingApi();

    const result = await createLambdaHttpHandler(api)(
      withChange(restEvent(), (e) => Object.assign(e, { httpMethod: "GET" })),
    );

    expect(result.statusCode).toBe(204);
    expect(requests[0]!.body).toBeNull();
  });
});
