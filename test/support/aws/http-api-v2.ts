import type { APIGatewayProxyEventV2 } from "aws-lambda";

// Payload 2.0 events from plain requests, for the suites that call Lambda HTTP handlers with the events an
// HTTP API or a Function URL would send them.

const DOMAIN = "r3pmxmplak.execute-api.eu-west-1.amazonaws.com";
const TEXTUAL = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|x-www-form-urlencoded))/;

export interface PayloadV2Options {
  /** The route serverless.yml declares for the request (`GET /todos/{id}`), or `$default`. */
  routeKey?: string;
  /** An execute-api domain (an HTTP API), or a `lambda-url` one (a Function URL). */
  domain?: string;
  /** A named stage is the first segment of an HTTP API's `rawPath`; `$default` adds nothing. */
  stage?: string;
  /** Send every body base64-encoded (to exercise decoding), not only the bodies that are not text. */
  base64Bodies?: boolean;
}

/**
 * The event an HTTP API (or a Function URL) sends for `request`: an HTTP API passes the path decoded in
 * `rawPath` behind its named stage, a Function URL keeps it encoded; cookies apart; text bodies as they are
 * and any other base64-encoded.
 */
export async function httpApiEventFrom(
  request: Request,
  { routeKey = "$default", domain = DOMAIN, stage = "$default", base64Bodies = false }: PayloadV2Options = {},
): Promise<APIGatewayProxyEventV2> {
  const functionUrl = domain.includes(".lambda-url.");
  const url = new URL(request.url);
  const headers: Record<string, string> = { host: domain, "x-forwarded-proto": "https" };
  let cookies: string[] | undefined;
  request.headers.forEach((value, name) => {
    if (name === "cookie") cookies = value.split(/;\s*/);
    else headers[name] = value;
  });
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const bytes = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
  const base64 = bytes !== undefined && (base64Bodies || !TEXTUAL.test(headers["content-type"] ?? ""));
  const stagePrefix = stage === "$default" ? "" : `/${stage}`;
  const rawPath = functionUrl ? url.pathname : `${stagePrefix}${safeDecode(url.pathname)}`;
  return {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString: url.search.slice(1),
    ...(cookies && { cookies }),
    headers,
    ...(url.search !== "" && { queryStringParameters: query }),
    requestContext: {
      accountId: functionUrl ? "anonymous" : "123456789012",
      apiId: domain.split(".")[0]!,
      domainName: domain,
      domainPrefix: domain.split(".")[0]!,
      http: {
        method: request.method,
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
    ...(bytes !== undefined && { body: bytes.toString(base64 ? "base64" : "utf8") }),
    isBase64Encoded: base64,
  } satisfies APIGatewayProxyEventV2;
}

/** What API Gateway makes of a 2.0 handler's result. */
export function responseFromResult(result: {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, String(value));
  for (const cookie of result.cookies ?? []) headers.append("set-cookie", cookie);
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8") : null;
  return new Response(body, { status: result.statusCode ?? 200, headers });
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
