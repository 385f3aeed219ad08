import type { HttpHeaders, Reply } from "@anycloud/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import {
  bodyText,
  idOf,
  type Json,
  recordOf,
  text,
  todoApi,
} from "../test-support/lambda-http-properties.js";
import { createLambdaHttpHandler } from "./lambda-http-handler.js";

// A client's request, sent to core directly and through each event shape the handler reads (REST API, HTTP API
// in payload 1.0 and 2.0, Function URL), is answered alike.

interface ClientRequest {
  method: string;
  /** Decoded path segments, as the client meant them. */
  segments: readonly string[];
  /** Decoded query parameters, in order. */
  query: [string, string][];
  headers: [string, string][];
  body: string | null;
}

const REST_DOMAIN = "1234567890.execute-api.us-east-1.amazonaws.com";
const HTTP_DOMAIN = "r3pmxmplak.execute-api.us-east-2.amazonaws.com";
const URL_DOMAIN = "a2b3c4d5e6f7g8h9i0j1k2l3m4.lambda-url.us-west-2.on.aws";

/** Text a client can send (no lone surrogate), and which an HTTP API's decoded path keeps apart (no `/`). */
const clientText = text.map((value) => value.replace(/[\ud800-\udfff]/g, ""));
const segmentText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("todos", "todo", "add", "list", "hello", "health", "import") },
  { weight: 2, arbitrary: fc.constantFrom(idOf(1), idOf(2), idOf(1000), idOf(3).toUpperCase()) },
  { weight: 2, arbitrary: clientText.map((value) => value.replaceAll("/", "")) },
  // What a path's encoding can get wrong: a percent sign (that looks like an escape, too), a delimiter.
  {
    weight: 2,
    arbitrary: fc.constantFrom("a b", "100%", "%41", "%2F", "%25", "?", "#", "é", "😀", "+", ";", "'"),
  },
);
const clientSegments = fc.oneof(
  fc.constantFrom(["todos"], ["todo", "add"], ["todo", "list"], ["hello"], ["health"], ["todos", "import"]),
  // A route's parameter: where a segment's own characters show.
  fc.tuple(fc.constantFrom("todos", "hello", "hello"), segmentText).map((pair) => [...pair]),
  fc.array(segmentText, { maxLength: 3 }),
);
const clientQuery = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom("limit", "cursor", "quote", "x"), clientText),
    fc.oneof(fc.constantFrom("1", "100", "0", "abc", "double", "a b", "a+b", "%", "&"), clientText),
  ),
  { maxLength: 3 },
);
const clientHeaders = fc.array(
  fc.oneof(
    fc.tuple(fc.constant("if-match"), fc.constantFrom('"1"', '"2"', "*", 'W/"1"', "x")),
    fc.tuple(fc.constant("idempotency-key"), fc.constantFrom("key-1", '"key-1"', "a b")),
    fc.tuple(fc.constant("content-encoding"), fc.constantFrom("identity", "gzip")),
    fc.tuple(fc.constant("x-extra"), fc.stringMatching(/^[\x21-\x7e]{0,12}$/)),
  ),
  { maxLength: 2 },
);
const clientBody = fc.oneof(
  fc.constant(null),
  fc.constantFrom('{"task":"Write it"}', '{"task":"Write it","dueDate":"01-12-2026"}', '{"checked":true}'),
  fc.constantFrom("task\nfirst\nsecond\n", "name\nx\n", "{", '{"task":""}'),
  clientText,
);
const clientRequest: fc.Arbitrary<ClientRequest> = fc
  .record({
    method: fc.constantFrom("GET", "GET", "HEAD", "POST", "PATCH", "DELETE", "PUT"),
    segments: clientSegments,
    query: clientQuery,
    contentType: fc.constantFrom("application/json", "text/csv", "application/merge-patch+json", undefined),
    headers: clientHeaders,
    body: clientBody,
  })
  .map(({ contentType, headers, ...rest }) => ({
    ...rest,
    headers: contentType === undefined ? headers : [["content-type", contentType], ...headers],
  }));

/** The path as the client puts it in its URL: each segment percent-encoded. */
const encodedPathOf = (request: ClientRequest) =>
  `/${request.segments.map((segment) => encodeURIComponent(segment)).join("/")}`;
const decodedPathOf = (request: ClientRequest) => `/${request.segments.join("/")}`;
const encodedQueryOf = (request: ClientRequest) => new URLSearchParams(request.query).toString();

function headersWith(request: ClientRequest, host: string): [string, string][] {
  return [["host", host], ["x-forwarded-proto", "https"], ["x-request-id", "req-1"], ...request.headers];
}

function grouped(entries: readonly [string, string][]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, value] of entries) groups.set(name, [...(groups.get(name) ?? []), value]);
  return groups;
}

/**
 * What a REST API (stage `prod`) sends in payload 1.0: the path still encoded, query values decoded; or an HTTP
 * API (stage `dev`) set to payload 1.0, whose path is decoded and starts with the stage.
 */
function payloadV1Event(request: ClientRequest, httpApi: boolean, base64: boolean): Json {
  const domain = httpApi ? HTTP_DOMAIN : REST_DOMAIN;
  const headers = grouped(headersWith(request, domain));
  const query = grouped(request.query);
  return {
    ...(httpApi && { version: "1.0" }),
    resource: "/{proxy+}",
    path: httpApi ? `/dev${decodedPathOf(request)}` : encodedPathOf(request),
    httpMethod: request.method,
    headers: recordOf([...headers].map(([name, values]) => [name, values.at(-1)!])),
    multiValueHeaders: recordOf(headers),
    queryStringParameters:
      query.size === 0 ? null : recordOf([...query].map(([name, values]) => [name, values.at(-1)!])),
    multiValueQueryStringParameters: query.size === 0 ? null : recordOf(query),
    requestContext: httpApi
      ? { domainName: domain, stage: "dev", path: `/dev${decodedPathOf(request)}` }
      : { domainName: domain, stage: "prod", path: `/prod${encodedPathOf(request)}` },
    body: request.body === null ? null : base64 ? Buffer.from(request.body).toString("base64") : request.body,
    isBase64Encoded: request.body !== null && base64,
  };
}

/** What an HTTP API (payload 2.0, stage `dev`) or a Function URL sends: the HTTP API decodes the path. */
function payloadV2Event(request: ClientRequest, functionUrl: boolean, base64: boolean): Json {
  const domain = functionUrl ? URL_DOMAIN : HTTP_DOMAIN;
  const rawPath = functionUrl ? encodedPathOf(request) : `/dev${decodedPathOf(request)}`;
  const headers = grouped(headersWith(request, domain));
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString: encodedQueryOf(request),
    headers: recordOf([...headers].map(([name, values]) => [name, values.join(",")])),
    requestContext: {
      domainName: domain,
      http: { method: request.method, path: rawPath },
      stage: functionUrl ? "$default" : "dev",
    },
    ...(request.body !== null && {
      body: base64 ? Buffer.from(request.body).toString("base64") : request.body,
    }),
    isBase64Encoded: request.body !== null && base64,
  };
}

/** The request core would get from a runtime without an event in between. */
function coreRequest(request: ClientRequest) {
  const query = encodedQueryOf(request);
  const headers = new Map<string, string>();
  for (const [name, values] of grouped(headersWith(request, "example.com")))
    headers.set(name, values.join(", "));
  const httpHeaders: HttpHeaders = {
    get: (name) => headers.get(name.toLowerCase()) ?? null,
    [Symbol.iterator]: () => headers.entries(),
  };
  const body = request.body;
  const withBody = body !== null && body !== "" && request.method !== "GET" && request.method !== "HEAD";
  return {
    method: request.method,
    url: `https://example.com${encodedPathOf(request)}${query === "" ? "" : `?${query}`}`,
    headers: httpHeaders,
    body: withBody
      ? (async function* () {
          yield Buffer.from(body);
        })()
      : null,
  };
}

interface UploadReport {
  importId?: string;
  source?: { container: string; key: string; version?: string };
}

/** An answer in the terms both sides share: the request id, and paths' stage prefix, set aside. */
function comparable(status: number, headers: Record<string, unknown>, body: string, prefix: string) {
  const { "x-request-id": _, ...rest } = headers;
  for (const name of ["location", "link"]) {
    if (typeof rest[name] === "string") rest[name] = (rest[name] as string).replaceAll(`${prefix}/`, "/");
  }
  let parsed: unknown = body;
  if (body !== "" && String(headers["content-type"]).includes("json")) {
    parsed = JSON.parse(body);
    const input = (parsed as { input?: { path: string } }).input;
    // The hello routes echo the path as the URL holds it: escaped alike in meaning, not always in form.
    if (input) input.path = input.path.split("/").map(decodeURIComponent).join("/");
    if (status >= 400) {
      const problem = parsed as { requestId?: string; detail?: string };
      delete problem.requestId;
      // API Gateway joins a repeated header's values with `,`, runtimes that build a Headers with `, `: a detail
      // that quotes one differs by that space.
      problem.detail = problem.detail?.replaceAll(", ", ",");
    }
    // An upload without a key is an import of its own, under a random version.
    const report = ((parsed as { report?: unknown }).report ?? parsed) as UploadReport;
    if (report.source?.container === "upload" && report.source.version !== report.source.key) {
      delete report.importId;
      delete report.source.version;
    }
  }
  return { status, headers: rest, body: parsed };
}

const SHAPES = {
  "REST API": {
    event: (request: ClientRequest, base64: boolean) => payloadV1Event(request, false, base64),
    prefix: "/prod",
  },
  "HTTP API, payload 1.0": {
    event: (request: ClientRequest, base64: boolean) => payloadV1Event(request, true, base64),
    prefix: "/dev",
  },
  "HTTP API": {
    event: (request: ClientRequest, base64: boolean) => payloadV2Event(request, false, base64),
    prefix: "/dev",
  },
  "Function URL": {
    event: (request: ClientRequest, base64: boolean) => payloadV2Event(request, true, base64),
    prefix: "",
  },
} as const;

describe.each(Object.entries(SHAPES))("the Lambda HTTP handler behind a %s (property)", (_, shape) => {
  it("answers a client's requests as core does when called directly", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(clientRequest, fc.boolean()), { minLength: 1, maxLength: 3 }),
        async (requests) => {
          const api = await todoApi();
          const handler = createLambdaHttpHandler(await todoApi());
          for (const [request, base64] of requests) {
            const direct: Reply = await api.handle(coreRequest(request));
            const result = await handler(JSON.parse(JSON.stringify(shape.event(request, base64))), {
              awsRequestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
            });

            // The caller's well-formed id wins over the invocation's.
            expect(result.headers?.["x-request-id"]).toBe("req-1");
            expect(
              comparable(result.statusCode!, result.headers ?? {}, bodyText(result), shape.prefix),
            ).toEqual(comparable(direct.status, direct.headers ?? {}, String(direct.body ?? ""), ""));
          }
        },
      ),
      propertyRuns(150),
    );
  });
});
