import type { APIGatewayProxyEventV2 } from "aws-lambda";

// Copied in part from test/aws/lambda-http.test.ts (its payload 2.0 translator), for suites that call the
// deployed handlers with the events API Gateway would send them.

const DOMAIN = "r3pmxmplak.execute-api.eu-west-1.amazonaws.com";
const TEXTUAL = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|x-www-form-urlencoded))/;

/**
 * The event an HTTP API with serverless.yml's `$default` stage sends for `request`: the path decoded in
 * `rawPath` (as HTTP APIs pass it), cookies apart, text bodies as they are and any other base64-encoded.
 * `routeKey` is the route serverless.yml declares for it (`GET /todos/{id}`), or `$default`.
 */
export async function httpApiEventFrom(
  request: Request,
  routeKey = "$default",
): Promise<APIGatewayProxyEventV2> {
  const url = new URL(request.url);
  const headers: Record<string, string> = { host: DOMAIN, "x-forwarded-proto": "https" };
  let cookies: string[] | undefined;
  request.headers.forEach((value, name) => {
    if (name === "cookie") cookies = value.split(/;\s*/);
    else headers[name] = value;
  });
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const bytes = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
  const base64 = bytes !== undefined && !TEXTUAL.test(headers["content-type"] ?? "");
  const rawPath = safeDecode(url.pathname);
  return {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString: url.search.slice(1),
    ...(cookies && { cookies }),
    headers,
    ...(url.search !== "" && { queryStringParameters: query }),
    requestContext: {
      accountId: "123456789012",
      apiId: DOMAIN.split(".")[0]!,
      domainName: DOMAIN,
      domainPrefix: DOMAIN.split(".")[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: "198.51.100.7",
        userAgent: "vitest",
      },
      requestId: crypto.randomUUID(),
      routeKey,
      stage: "$default",
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
