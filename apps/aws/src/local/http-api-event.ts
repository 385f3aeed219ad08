import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { DEFAULT_ROUTE, type RouteMatch, safeDecode } from "./functions.js";

/** A request as it came off the wire. */
export interface WireRequest {
  method: string;
  /** Path and query, still encoded: `/todos?limit=2`. */
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  /** Where the local API listens: `127.0.0.1:3001`. */
  host: string;
}

const TEXTUAL =
  /^\s*(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|application\/[\w.+-]*\+(json|xml))/i;

/**
 * The event an HTTP API (payload format 2.0, stage `$default`) gives the function of the matched route:
 * the path decoded (`/hello/Jane%20Doe` arrives as `/hello/Jane Doe`), headers lower-case with repeated values joined by commas, `cookie` moved to `cookies`, the query both raw
 * and parsed (repeated names joined by commas), path parameters decoded, and a text body as it is, any other
 * body base64-encoded. `x-forwarded-proto` is `http`, so that URLs the API builds point back here.
 */
export function httpApiEventFrom(
  request: WireRequest,
  match: RouteMatch,
  now = new Date(),
): APIGatewayProxyEventV2 {
  const question = request.target.indexOf("?");
  // Decoded, as an HTTP API passes it; a path it cannot decode is passed as sent.
  const rawPath = safeDecode(question === -1 ? request.target : request.target.slice(0, question));
  const rawQueryString = question === -1 ? "" : request.target.slice(question + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") cookies = String(value).split(/;\s*/).filter(Boolean);
    else headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  Object.assign(headers, {
    "x-forwarded-for": request.sourceIp,
    "x-forwarded-port": request.host.split(":")[1] ?? "80",
    "x-forwarded-proto": "http",
  });
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString))
    query[name] = name in query ? `${query[name]},${value}` : value;
  const routeKey = match.route === DEFAULT_ROUTE ? "$default" : `${match.route.method} ${match.route.path}`;
  const base64 = request.body.length > 0 && !TEXTUAL.test(headers["content-type"] ?? "");
  const body = request.body.length === 0 ? undefined : request.body.toString(base64 ? "base64" : "utf8");
  return {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies && cookies.length > 0 && { cookies }),
    headers,
    ...(rawQueryString !== "" && { queryStringParameters: query }),
    ...(Object.keys(match.pathParameters).length > 0 && { pathParameters: match.pathParameters }),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: request.host,
      domainPrefix: request.host.split(".")[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: base64,
  };
}

/** What API Gateway sends back for a function's result. */
export interface WireResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * How an HTTP API (2.0) answers a function's result: a structured result gives the status, headers, cookies
 * and body (base64-decoded when marked); anything else is taken as a JSON body with status 200.
 */
export function responseFromResult(result: unknown): WireResponse {
  if (typeof result !== "object" || result === null || !("statusCode" in result)) {
    const body = Buffer.from(typeof result === "string" ? result : (JSON.stringify(result) ?? ""), "utf8");
    return { status: 200, headers: { "content-type": "application/json" }, body };
  }
  const structured = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name] = String(value);
  if (structured.cookies && structured.cookies.length > 0) headers["set-cookie"] = structured.cookies;
  const body = Buffer.from(structured.body ?? "", structured.isBase64Encoded ? "base64" : "utf8");
  return { status: structured.statusCode, headers, body };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `10/Mar/2024:13:40:52 +0000`, the format of `requestContext.time`. */
function clfTime(date: Date): string {
  const two = (value: number) => String(value).padStart(2, "0");
  const day = `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  return `${day}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}
