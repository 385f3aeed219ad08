import type { Reply } from "@anycloud/core";
import type { APIGatewayProxyResult } from "aws-lambda";
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
  stripPrefix,
  toHttpRequest,
} from "./event-request.js";
import type { HandlerSettings } from "./handler-settings.js";
import { MalformedEventError } from "./malformed-event.js";
import { proxyResultOf } from "./response-body.js";

/**
 * Payload format 1.0: API Gateway REST APIs, and HTTP APIs set to 1.0 (`version: "1.0"`).
 * `multiValueHeaders` and `multiValueQueryStringParameters` hold every value and win over the single-value
 * maps; query values arrive decoded and are encoded again. A REST API's `path` has no stage (its
 * `requestContext.path` does) and is still percent-encoded; an HTTP API's 1.0 `path` is decoded, and starts
 * with a named stage, which is removed.
 */
export function requestFromPayloadV1(event: EventRecord, settings: HandlerSettings): EventRequest {
  const context = isRecord(event.requestContext) ? event.requestContext : {};
  // Alike but not the same: its query is still percent-encoded (this reading would encode it again), and with
  // multi-value headers on it reads only a result's `multiValueHeaders`. Refused, rather than served wrong.
  if (context.elb !== undefined) {
    throw new MalformedEventError(
      "An Application Load Balancer's event is not served: put the function behind API Gateway or a function URL.",
    );
  }
  const method = readMethod(event.httpMethod);
  const path = readPath(event.path);
  let reading: PathReading = { path, prefix: "" };
  const stage = namedStageOf(context);
  const { basePath } = settings;
  if (stage !== undefined) {
    if (event.version === "1.0") {
      const onExecuteApi = isExecuteApiDomain(context.domainName);
      // Through a custom domain the path starts with the API mapping's path, which the base path names: a stage of
      // the same name (`v1` mapped at `/v1`) must not take it, or the reply's paths lose it.
      if (onExecuteApi || basePath === undefined || stripPrefix(path, basePath) === path) {
        reading = removePrefix(reading, `/${stage}`, onExecuteApi);
      }
    }
    // A REST API's `path` lacks the stage its execute-api URL has (`requestContext.path`: `/prod/todos`); behind
    // a custom domain, the two are the same.
    else if (context.path === `/${stage}${path}`) reading = { path, prefix: `/${stage}` };
  }
  if (basePath !== undefined) reading = removePrefix(reading, basePath);
  const request = toHttpRequest({
    method,
    path: reading.path,
    pathDecoded: event.version === "1.0",
    query: queryOf(event),
    headers: headersOf(event),
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
    domainName: context.domainName,
  });
  return { request, pathPrefix: reading.prefix };
}

/** A 1.0 result: `set-cookie` goes to `multiValueHeaders` (the one header that repeats), the rest to `headers`. */
export function resultForPayloadV1(
  reply: Reply,
  method: string,
  settings: HandlerSettings,
  pathPrefix = "",
): APIGatewayProxyResult {
  const { result, cookies } = proxyResultOf(reply, method, settings.isBinary, pathPrefix);
  return cookies.length > 0 ? { ...result, multiValueHeaders: { "set-cookie": cookies } } : result;
}

function headersOf(event: EventRecord): EventHeaders {
  const headers = new EventHeaders();
  let appended = 0;
  const multi = event.multiValueHeaders;
  if (isRecord(multi)) {
    for (const name in multi) {
      const values = multi[name];
      if (values === null || values === undefined) continue;
      if (!Array.isArray(values)) throw new MalformedEventError("A multiValueHeaders entry is not a list.");
      for (const value of values) headers.append(name, value);
      appended += 1;
    }
  }
  // Both maps hold every header in a real event; a hand-written one may fill only `headers`.
  if (appended > 0) return headers;
  appendHeaderMap(headers, event.headers);
  return headers;
}

function queryOf(event: EventRecord): string {
  const multi = event.multiValueQueryStringParameters;
  let query = "";
  if (isRecord(multi)) {
    for (const name in multi) {
      const values = multi[name];
      if (values === null || values === undefined) continue;
      if (!Array.isArray(values)) {
        throw new MalformedEventError("A multiValueQueryStringParameters entry is not a list.");
      }
      for (const value of values) query = appendParameter(query, name, value);
    }
  }
  const single = event.queryStringParameters;
  if (query === "" && isRecord(single)) {
    for (const name in single) query = appendParameter(query, name, single[name]);
  }
  return query;
}

function appendParameter(query: string, name: string, value: unknown): string {
  if (value === null || value === undefined) return query;
  if (typeof value !== "string") throw new MalformedEventError("A query parameter value is not a string.");
  const pair = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  return query === "" ? pair : `${query}&${pair}`;
}
