import {
  bundleOf,
  DEFAULT_ROUTE,
  FUNCTIONS,
  type FunctionName,
  type HttpRoute,
  httpApiEventFrom,
  isFunctionName,
  matchRoute,
  responseFromResult,
  type WireRequest,
} from "@anycloud/aws/local";
import { describe, expect, it } from "vitest";

// The local loop's HTTP API, piece by piece: the route a request takes, the payload 2.0 event it becomes, and the
// response a function's result becomes.

const request = (overrides: Partial<WireRequest> = {}): WireRequest => ({
  method: "GET",
  target: "/",
  headers: {},
  body: Buffer.alloc(0),
  sourceIp: "127.0.0.9",
  host: "127.0.0.1:3001",
  ...overrides,
});

describe("matchRoute, as API Gateway picks an HTTP API's route", () => {
  it.each([
    ["GET", "/hello", "GET /hello", {}],
    ["GET", "/hello/Jane%20Doe", "GET /hello/{name}", { name: "Jane Doe" }],
    ["POST", "/todos/import", "POST /todos/import", {}],
    ["GET", "/todos/import", "GET /todos/{id}", { id: "import" }],
    ["DELETE", "/todos/a%2Fb", "DELETE /todos/{id}", { id: "a/b" }],
  ])("takes %s %s to %s", (method, path, routeKey, pathParameters) => {
    const { route, pathParameters: parameters } = matchRoute(method, path);

    expect(`${route.method} ${route.path}`).toBe(routeKey);
    expect(parameters).toEqual(pathParameters);
  });

  it.each([
    ["POST", "/hello"],
    ["GET", "/nowhere"],
    ["GET", "/todo/nothing"],
    ["GET", "/todos/"],
    ["GET", "/todos/a/b"],
    ["GET", "/hello/"],
  ])("sends %s %s, which no route takes, to $default (api)", (method, path) => {
    expect(matchRoute(method, path)).toEqual({ route: DEFAULT_ROUTE, pathParameters: {} });
    expect(DEFAULT_ROUTE.functionName).toBe("api");
  });

  it("takes a parameter only as a whole segment in braces, and a route of parameters alone", () => {
    const routes: HttpRoute[] = [
      { method: "GET", path: "/files/v{n}", functionName: "hello" },
      { method: "GET", path: "/files/{n}.csv", functionName: "hello" },
      { method: "GET", path: "/{name}", functionName: "api" },
    ];

    expect(matchRoute("GET", "/files/v{n}", routes).route).toBe(routes[0]);
    expect(matchRoute("GET", "/files/v1", routes).route).toBe(DEFAULT_ROUTE);
    expect(matchRoute("GET", "/files/1.csv", routes).route).toBe(DEFAULT_ROUTE);
    expect(matchRoute("GET", "/x", routes)).toEqual({ route: routes[2], pathParameters: { name: "x" } });
  });

  it("prefers, of two routes alike, the first declared", () => {
    const routes: HttpRoute[] = [
      { method: "GET", path: "/a/{x}", functionName: "hello" },
      { method: "GET", path: "/a/{y}", functionName: "api" },
    ];

    expect(matchRoute("GET", "/a/1", routes)).toEqual({ route: routes[0], pathParameters: { x: "1" } });
  });
});

describe("the functions of serverless.yml", () => {
  it("names each function's bundle after its handler's folder", () => {
    const bundles = Object.fromEntries(
      (Object.keys(FUNCTIONS) as FunctionName[]).map((n) => [n, bundleOf(n)]),
    );

    expect(bundles).toEqual({
      hello: "hello",
      helloHttp: "helloHttp",
      addTodo: "workshopTodos",
      listTodo: "workshopTodos",
      api: "api",
      importUpload: "importUpload",
      csvImport: "csvImport",
    });
  });

  it("knows its functions' names, and no other", () => {
    expect(isFunctionName("csvImport")).toBe(true);
    expect(isFunctionName("toString")).toBe(false);
    expect(isFunctionName("")).toBe(false);
  });
});

describe("httpApiEventFrom, the event an HTTP API (payload 2.0) sends", () => {
  it("gives a request's every part where API Gateway puts it", () => {
    const now = new Date(Date.UTC(2024, 2, 5, 3, 4, 6, 789));
    const target = "/todos/a%20b?tag=x&tag=y%2Bz&empty=";
    const sent = request({
      method: "PATCH",
      target,
      headers: {
        "content-type": "application/json",
        "user-agent": "the-test/1.0",
        cookie: "a=1; b=2;",
        "x-repeated": ["one", "two"],
        "x-none": undefined,
      },
      body: Buffer.from('{"task":"t"}'),
    });

    const event = httpApiEventFrom(sent, matchRoute("PATCH", "/todos/a%20b"), now);

    expect(event).toEqual({
      version: "2.0",
      routeKey: "PATCH /todos/{id}",
      rawPath: "/todos/a b",
      rawQueryString: "tag=x&tag=y%2Bz&empty=",
      cookies: ["a=1", "b=2"],
      headers: {
        "content-type": "application/json",
        "user-agent": "the-test/1.0",
        "x-repeated": "one,two",
        "x-forwarded-for": "127.0.0.9",
        "x-forwarded-port": "3001",
        "x-forwarded-proto": "http",
      },
      queryStringParameters: { tag: "x,y+z", empty: "" },
      pathParameters: { id: "a b" },
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        domainName: "127.0.0.1:3001",
        domainPrefix: "127",
        http: {
          method: "PATCH",
          path: "/todos/a b",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.9",
          userAgent: "the-test/1.0",
        },
        requestId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        routeKey: "PATCH /todos/{id}",
        stage: "$default",
        time: "05/Mar/2024:03:04:06 +0000",
        timeEpoch: now.getTime(),
      },
      body: '{"task":"t"}',
      isBase64Encoded: false,
    });
    expect(Object.keys(event.headers)).not.toContain("x-none");
  });

  it("leaves out what a request does not have: query, cookies, path parameters, body", () => {
    const event = httpApiEventFrom(
      request({ target: "/nowhere", headers: { cookie: "" }, host: "localhost" }),
      matchRoute("GET", "/nowhere"),
    );

    expect(Object.keys(event).sort()).toEqual([
      "headers",
      "isBase64Encoded",
      "rawPath",
      "rawQueryString",
      "requestContext",
      "routeKey",
      "version",
    ]);
    expect(event).toMatchObject({ routeKey: "$default", rawPath: "/nowhere", rawQueryString: "" });
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers["x-forwarded-port"]).toBe("80");
    expect(event.requestContext.http.userAgent).toBe("");
    expect(event.requestContext.routeKey).toBe("$default");
  });

  it("passes a path it cannot decode as sent, and an empty query as none", () => {
    const event = httpApiEventFrom(request({ target: "/x%zz?" }), matchRoute("GET", "/x%zz"));

    expect(event.rawPath).toBe("/x%zz");
    expect(event.rawQueryString).toBe("");
    expect(event.queryStringParameters).toBeUndefined();
  });

  it.each([
    ["application/json", false],
    ["  text/csv; charset=utf-8", false],
    ["TEXT/PLAIN", false],
    ["application/xml", false],
    ["application/javascript", false],
    ["application/x-www-form-urlencoded", false],
    ["application/problem+json", false],
    ["application/vnd.api+json", false],
    ["application/atom+xml", false],
    ["application/octet-stream", true],
    ["image/png;comment=application/json", true],
    ["image/png; note=text/plain", true],
    [undefined, true],
  ])("passes a body of type %s base64-encoded: %s", (type, base64) => {
    const bytes = Buffer.from([0x74, 0x78, 0x74, 0xff]);

    const event = httpApiEventFrom(
      request({ method: "POST", target: "/todos", headers: { "content-type": type }, body: bytes }),
      matchRoute("POST", "/todos"),
    );

    expect(event.isBase64Encoded).toBe(base64);
    expect(event.body).toBe(bytes.toString(base64 ? "base64" : "utf8"));
  });

  it("gives requestContext.time in the common log format, each month by its name", () => {
    const times = Array.from({ length: 12 }, (_, month) => {
      const now = new Date(Date.UTC(2025, month, 9, 8, 7, 6));
      return httpApiEventFrom(request(), matchRoute("GET", "/"), now).requestContext.time;
    });

    expect(times).toEqual(
      ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map(
        (month) => `09/${month}/2025:08:07:06 +0000`,
      ),
    );
  });
});

describe("responseFromResult, how an HTTP API answers a function's result", () => {
  it("takes a structured result's status, headers, cookies and body", () => {
    const response = responseFromResult({
      statusCode: 201,
      headers: { "x-count": 2, "x-flag": true },
      cookies: ["a=1", "b=2"],
      body: "created",
    });

    expect(response).toEqual({
      status: 201,
      headers: { "x-count": "2", "x-flag": "true", "set-cookie": ["a=1", "b=2"] },
      body: Buffer.from("created"),
    });
  });

  it("decodes a base64 body, and takes no body, headers nor cookies as none", () => {
    expect(responseFromResult({ statusCode: 200, body: "aGk=", isBase64Encoded: true }).body).toEqual(
      Buffer.from("hi"),
    );
    expect(responseFromResult({ statusCode: 204, cookies: [] })).toEqual({
      status: 204,
      headers: {},
      body: Buffer.alloc(0),
    });
  });

  it.each([
    ["a string", "hello", "hello"],
    ["an object without statusCode", { ok: true }, '{"ok":true}'],
    ["null", null, "null"],
    ["a number", 42, "42"],
    ["nothing", undefined, ""],
  ])("answers %s 200 as JSON", (_, result, body) => {
    expect(responseFromResult(result)).toEqual({
      status: 200,
      headers: { "content-type": "application/json" },
      body: Buffer.from(body),
    });
  });
});
