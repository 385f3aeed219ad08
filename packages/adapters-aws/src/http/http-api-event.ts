import type { Reply } from "@anycloud/core";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { EventHeaders } from "./event-headers.js";
import {
  appendHeaderMap,
  type EventRecord,
  type EventRequest,
  isExecuteApiDomain,
  isRecord,
  namedStageOf,
  type PathReading,
  readMethod,
  readPath,
  removePrefix,
  toHttpRequest,
} from "./event-request.js";
import type { HandlerSettings } from "./handler-settings.js";
import { MalformedEventError } from "./malformed-event.js";
import { proxyResultOf } from "./response-body.js";

// A Function URL's own domain: `<url-id>.lambda-url.<region>.on.aws` (it has no custom domains; behind
// CloudFront, the event still names this one).
const FUNCTION_URL_DOMAIN = /\.lambda-url\.[a-z0-9-]+\.on\.aws$/;

/**
 * Payload format 2.0: API Gateway HTTP APIs and Lambda Function URLs (whose stage is always `$default`).
 * The URL is built from `rawPath` and `rawQueryString` (the parsed maps join repeated values with commas);
 * `rawPath` starts with the stage when the stage is not `$default`, which is removed; `cookies` become one
 * `cookie` header. An HTTP API decodes `rawPath` (a client's `%20` arrives as a space), a Function URL does
 * not: the event's domain tells them apart.
 */
export function requestFromPayloadV2(event: EventRecord, settings: HandlerSettings): EventRequest {
  const context = isRecord(event.requestContext) ? event.requestContext : {};
  const method = readMethod(isRecord(context.http) ? context.http.method : undefined);
  let reading: PathReading = { path: readPath(event.rawPath), prefix: "" };
  const stage = namedStageOf(context);
  if (stage !== undefined)
    reading = removePrefix(reading, `/${stage}`, isExecuteApiDomain(context.domainName));
  if (settings.basePath !== undefined) {
    const removed = removePrefix(reading, settings.basePath);
    // Through a custom domain's API mapping, rawPath may hold the stage and not the mapping's path (reported for
    // AWS: serverless-express#465); the client's URL has it all the same, and the reply's paths need it back.
    reading =
      removed === reading && isCustomDomain(context.domainName)
        ? { path: reading.path, prefix: `${reading.prefix}${settings.basePath}` }
        : removed;
  }
  const query = event.rawQueryString ?? "";
  if (typeof query !== "string") throw new MalformedEventError("The event's rawQueryString is not a string.");
  const request = toHttpRequest({
    method,
    path: reading.path,
    pathDecoded: !isFunctionUrlDomain(context.domainName),
    query,
    headers: headersOf(event),
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
    domainName: context.domainName,
  });
  return { request, pathPrefix: reading.prefix };
}

/** A 2.0 result: `set-cookie` values go to `cookies`, every other header to `headers`. */
export function resultForPayloadV2(
  reply: Reply,
  method: string,
  settings: HandlerSettings,
  pathPrefix = "",
): APIGatewayProxyStructuredResultV2 {
  const { result, cookies } = proxyResultOf(reply, method, settings.isBinary, pathPrefix);
  return cookies.length > 0 ? { ...result, cookies } : result;
}

function headersOf(event: EventRecord): EventHeaders {
  const headers = new EventHeaders();
  appendHeaderMap(headers, event.headers);
  const { cookies } = event;
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === "string")) {
      throw new MalformedEventError("The event's cookies are not a list of strings.");
    }
    if (cookies.length > 0) headers.set("cookie", cookies.join("; "));
  }
  return headers;
}

/** A domain of the service's own (not `execute-api`, not a Function URL): the one kind that has API mappings. */
function isCustomDomain(domainName: unknown): boolean {
  return (
    typeof domainName === "string" && !isExecuteApiDomain(domainName) && !isFunctionUrlDomain(domainName)
  );
}

function isFunctionUrlDomain(domainName: unknown): boolean {
  return typeof domainName === "string" && FUNCTION_URL_DOMAIN.test(domainName);
}
