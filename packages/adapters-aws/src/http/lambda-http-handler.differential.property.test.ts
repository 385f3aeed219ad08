import type { HttpHeaders, Reply } from "@anycloud/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FIXTURE_DOMAINS,
  payloadV1Event,
  payloadV2Event,
  type SentRequest,
} from "../../../../test/support/aws/lambda-http-events.js";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { bodyText, idOf, text, todoApi } from "../test-support/lambda-http-properties.js";
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
const encodedQueryOf = (request: ClientRequest) => new URLSearchParams(request.query).toString();

/** The headers the client sends: its request id (well-formed, so that it wins over the invocation's) first. */
function headersOf(request: ClientRequest): [string, string][] {
  return [["x-request-id", "req-1"], ...request.headers];
}

function grouped(entries: readonly [string, string][]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, value] of entries) groups.set(name, [...(groups.get(name) ?? []), value]);
  return groups;
}

/**
 * What the client sends, for the events' builders: with a body whatever the method, as API Gateway passes one
 * along with a GET, and a path that no URL parser has normalised.
 */
function sentRequestOf(request: ClientRequest): SentRequest {
  return {
    method: request.method,
    path: encodedPathOf(request),
    query: encodedQueryOf(request),
    headers: headersOf(request),
    body: request.body === null ? null : Buffer.from(request.body),
  };
}

/** The request core would get from a runtime without an event in between. */
function coreRequest(request: ClientRequest) {
  const query = encodedQueryOf(request);
  const sent: [string, string][] = [
    ["host", "example.com"],
    ["x-forwarded-proto", "https"],
    ...headersOf(request),
  ];
  const headers = new Map<string, string>();
  for (const [name, values] of grouped(sent)) headers.set(name, values.join(", "));
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

const { restApi: REST_DOMAIN, httpApi: HTTP_DOMAIN, functionUrl: URL_DOMAIN } = FIXTURE_DOMAINS;

const SHAPES = {
  "REST API": {
    event: (request: ClientRequest, base64: boolean) =>
      payloadV1Event(sentRequestOf(request), { api: "REST", domain: REST_DOMAIN, stage: "prod", base64 }),
    prefix: "/prod",
  },
  "HTTP API, payload 1.0": {
    event: (request: ClientRequest, base64: boolean) =>
      payloadV1Event(sentRequestOf(request), { api: "HTTP", domain: HTTP_DOMAIN, stage: "dev", base64 }),
    prefix: "/dev",
  },
  "HTTP API": {
    event: (request: ClientRequest, base64: boolean) =>
      payloadV2Event(sentRequestOf(request), { domain: HTTP_DOMAIN, stage: "dev", base64 }),
    prefix: "/dev",
  },
  "Function URL": {
    event: (request: ClientRequest, base64: boolean) =>
      payloadV2Event(sentRequestOf(request), { domain: URL_DOMAIN, base64 }),
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
