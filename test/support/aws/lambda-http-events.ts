import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";

// The events API Gateway (REST APIs, HTTP APIs in payload 1.0 or 2.0) and Lambda Function URLs send a function
// for a client's request: one builder per payload format, for every suite that calls a Lambda HTTP handler as
// these services do. The behaviour suite and the workshop start from a fetch Request (`sentRequestOf`); the
// handler's differential property builds a `SentRequest` itself, as no fetch Request can carry all it sends (a
// GET with a body, a path with a `..` segment, a header sent twice).

/** The domains the JSON fixtures under test/fixtures/events name, for events built here to read alike. */
export const FIXTURE_DOMAINS = {
  restApi: "1234567890.execute-api.us-east-1.amazonaws.com",
  httpApi: "r3pmxmplak.execute-api.us-east-2.amazonaws.com",
  functionUrl: "a2b3c4d5e6f7g8h9i0j1k2l3m4.lambda-url.us-west-2.on.aws",
} as const;

const DEFAULT_HTTP_API_DOMAIN = "r3pmxmplak.execute-api.eu-west-1.amazonaws.com";
const TEXTUAL = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|x-www-form-urlencoded))/;

/** A request as the client sent it, before a service made an event of it. */
export interface SentRequest {
  method: string;
  /** The path as the client's URL holds it: percent-encoded. */
  path: string;
  /** The query as the client's URL holds it, encoded, without the `?` (`""`: none). */
  query: string;
  /** In the order sent; a name may come more than once. */
  headers: readonly (readonly [string, string])[];
  /** `null` when the request has no body, which an empty one is not. */
  body: Uint8Array | null;
}

/** What a fetch Request sends. */
export async function sentRequestOf(request: Request): Promise<SentRequest> {
  const url = new URL(request.url);
  const headers: [string, string][] = [];
  request.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  return {
    method: request.method,
    path: url.pathname,
    query: url.search.slice(1),
    headers,
    body: request.body === null ? null : new Uint8Array(await request.arrayBuffer()),
  };
}

export interface PayloadV1Options {
  /**
   * `REST`: a REST API, which passes the path as the client encoded it (its stage only in
   * `requestContext.path`) and header names as written; `HTTP`: an HTTP API set to payload 1.0, which decodes the
   * path, puts its stage in front, and lowercases header names.
   */
  api: "REST" | "HTTP";
  domain: string;
  stage: string;
  /** Whether the body is sent base64-encoded (a REST API does so for its binaryMediaTypes). */
  base64: boolean;
}

/** The payload 1.0 event for `sent`: multi-value maps that win over the single-value ones, query values decoded. */
export function payloadV1Event(
  sent: SentRequest,
  { api, domain, stage, base64 }: PayloadV1Options,
): APIGatewayProxyEvent {
  const httpApi = api === "HTTP";
  const headers = grouped([
    [httpApi ? "host" : "Host", domain],
    [httpApi ? "x-forwarded-proto" : "X-Forwarded-Proto", "https"],
    ...sent.headers,
  ]);
  const query = grouped(new URLSearchParams(sent.query));
  const path = httpApi ? `${stagePrefixOf(stage)}${safeDecode(sent.path)}` : sent.path;
  return {
    ...(httpApi && { version: "1.0" }),
    resource: "/{proxy+}",
    path,
    httpMethod: sent.method,
    headers: lastValues(headers),
    multiValueHeaders: Object.fromEntries(headers),
    queryStringParameters: query.size === 0 ? null : lastValues(query),
    multiValueQueryStringParameters: query.size === 0 ? null : Object.fromEntries(query),
    pathParameters: { proxy: sent.path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: "123456789012",
      apiId: domain.split(".")[0]!,
      authorizer: undefined,
      protocol: "HTTP/1.1",
      httpMethod: sent.method,
      identity: { ...ANONYMOUS_IDENTITY },
      path: httpApi ? path : `/${stage}${sent.path}`,
      stage,
      requestId: crypto.randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: "2gxmpl",
      resourcePath: "/{proxy+}",
      domainName: domain,
    },
    body: sent.body === null ? null : Buffer.from(sent.body).toString(base64 ? "base64" : "utf8"),
    isBase64Encoded: sent.body !== null && base64,
  } satisfies APIGatewayProxyEvent;
}

export interface PayloadV2Options {
  /** The route serverless.yml declares for the request (`GET /todos/{id}`), or `$default`. */
  routeKey?: string;
  /** An execute-api domain (an HTTP API), or a `lambda-url` one (a Function URL). */
  domain?: string;
  /** A named stage is the first segment of an HTTP API's `rawPath`; `$default` adds nothing. */
  stage?: string;
  /** Whether the body is sent base64-encoded. */
  base64: boolean;
}

/**
 * The payload 2.0 event an HTTP API (or a Function URL) sends for `sent`: an HTTP API passes the path decoded in
 * `rawPath` behind its named stage, a Function URL keeps it encoded; cookies apart, a repeated header's values
 * joined with `,`.
 */
export function payloadV2Event(
  sent: SentRequest,
  { routeKey = "$default", domain = DEFAULT_HTTP_API_DOMAIN, stage = "$default", base64 }: PayloadV2Options,
): APIGatewayProxyEventV2 {
  const functionUrl = domain.includes(".lambda-url.");
  const sentHeaders: (readonly [string, string])[] = [
    ["host", domain],
    ["x-forwarded-proto", "https"],
    ...sent.headers,
  ];
  const cookies = sentHeaders
    .filter(([name]) => name === "cookie")
    .flatMap(([, value]) => value.split(/;\s*/));
  const headers = grouped(sentHeaders.filter(([name]) => name !== "cookie"));
  const query = grouped(new URLSearchParams(sent.query));
  const rawPath = functionUrl ? sent.path : `${stagePrefixOf(stage)}${safeDecode(sent.path)}`;
  return {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString: sent.query,
    ...(cookies.length > 0 && { cookies }),
    headers: joinedValues(headers),
    ...(sent.query !== "" && { queryStringParameters: joinedValues(query) }),
    requestContext: {
      accountId: functionUrl ? "anonymous" : "123456789012",
      apiId: domain.split(".")[0]!,
      domainName: domain,
      domainPrefix: domain.split(".")[0]!,
      http: {
        method: sent.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: "198.51.100.7",
        userAgent: "vitest",
      },
      requestId: crypto.randomUUID(),
      routeKey,
      stage,
      time: "10/Mar/2024:13:40:52 +0000",
      timeEpoch: Date.now(),
    },
    ...(sent.body !== null && { body: Buffer.from(sent.body).toString(base64 ? "base64" : "utf8") }),
    isBase64Encoded: sent.body !== null && base64,
  } satisfies APIGatewayProxyEventV2;
}

/**
 * The payload 2.0 event for a fetch Request: text bodies as they are and any other base64-encoded, as an HTTP
 * API and a Function URL send them (`base64Bodies`: every body base64-encoded, to exercise decoding).
 */
export async function httpApiEventFrom(
  request: Request,
  { base64Bodies = false, ...options }: Omit<PayloadV2Options, "base64"> & { base64Bodies?: boolean } = {},
): Promise<APIGatewayProxyEventV2> {
  const textual = TEXTUAL.test(request.headers.get("content-type") ?? "");
  return payloadV2Event(await sentRequestOf(request), { ...options, base64: base64Bodies || !textual });
}

/**
 * What API Gateway makes of a handler's result, in either payload format. With `stagePrefix`, the paths of its
 * Location and Link lose the stage the service's URLs have in front (`/prod/todos/1` → `/todos/1`), for a suite
 * that speaks core's paths; a path without the stage, which a client would resolve outside the stage, throws.
 */
export function responseFromResult(
  result: {
    statusCode?: number;
    headers?: Record<string, string | number | boolean>;
    multiValueHeaders?: Record<string, (string | number | boolean)[]>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  },
  stagePrefix = "",
): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    const text = String(value);
    const linked = name === "location" || name === "link";
    headers.set(name, linked && stagePrefix !== "" ? withoutStage(name, text, stagePrefix) : text);
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    for (const value of values) headers.append(name, String(value));
  }
  for (const cookie of result.cookies ?? []) headers.append("set-cookie", cookie);
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8") : null;
  return new Response(body, { status: result.statusCode ?? 200, headers });
}

/** `value`, a Location or a Link, with `stagePrefix` taken off its paths; each path must start with it. */
function withoutStage(name: string, value: string, stagePrefix: string): string {
  const paths = name === "location" ? [value] : [...value.matchAll(/<([^>]*)>/g)].map((match) => match[1]!);
  for (const path of paths) {
    if (/^\/(?!\/)/.test(path) && !path.startsWith(`${stagePrefix}/`))
      throw new Error(`The result's ${name} ${value} lacks the stage ${stagePrefix} its client's URLs have.`);
  }
  return value.replaceAll(`${stagePrefix}/`, "/");
}

const ANONYMOUS_IDENTITY: APIGatewayProxyEvent["requestContext"]["identity"] = {
  accessKey: null,
  accountId: null,
  apiKey: null,
  apiKeyId: null,
  caller: null,
  clientCert: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  sourceIp: "192.0.2.10",
  user: null,
  userAgent: "vitest",
  userArn: null,
};

// Maps of names to values are built from entries (Object.fromEntries), never by assignment: a name such as
// `__proto__` is then a key of its own, as JSON.parse makes it in the event Lambda delivers.

function grouped(entries: Iterable<readonly [string, string]>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, value] of entries) groups.set(name, [...(groups.get(name) ?? []), value]);
  return groups;
}

function lastValues(groups: Map<string, string[]>): Record<string, string> {
  return Object.fromEntries([...groups].map(([name, values]) => [name, values.at(-1)!]));
}

function joinedValues(groups: Map<string, string[]>): Record<string, string> {
  return Object.fromEntries([...groups].map(([name, values]) => [name, values.join(",")]));
}

function stagePrefixOf(stage: string): string {
  return stage === "$default" ? "" : `/${stage}`;
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
