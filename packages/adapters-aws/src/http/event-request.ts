import { type HttpRequest, urlHostOf } from "@anycloud/core";
import { type EventHeaders, isToken } from "./event-headers.js";
import { MalformedEventError } from "./malformed-event.js";

/** An event as a plain object: translators read its fields and check each one they use. */
export type EventRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is EventRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Adds the values of an event's single-value `headers` map: none when it is absent; refused when no object. */
export function appendHeaderMap(headers: EventHeaders, map: unknown): void {
  if (isRecord(map)) {
    for (const name in map) headers.append(name, map[name]);
  } else if (map !== undefined && map !== null) {
    throw new MalformedEventError("The event's headers are not an object.");
  }
}

/** The fields every payload format gives, once read and checked. */
export interface RequestParts {
  /** As `readMethod` returns it. */
  method: string;
  /** The path as the event gives it, with any stage or base path already removed. */
  path: string;
  /** Whether the service decoded the path before the event (HTTP APIs do; REST APIs and Function URLs do not). */
  pathDecoded: boolean;
  /** Already encoded, without the `?`; "" when there is none. */
  query: string;
  headers: EventHeaders;
  body: unknown;
  isBase64Encoded: unknown;
  domainName: unknown;
}

/**
 * Builds the request core sees, without fetch's classes; throws `MalformedEventError` when it cannot. The URL
 * is the one a fetch `Request` would hold (parsed and serialised), and the body its bytes in one chunk.
 */
export function toHttpRequest(parts: RequestParts): HttpRequest {
  const { method, headers } = parts;
  const host = urlHostOf(headers.get("host")) ?? urlHostOf(parts.domainName) ?? "localhost";
  const scheme = headers.get("x-forwarded-proto") === "http" ? "http" : "https";
  const path = parts.pathDecoded ? escapedPath(parts.path) : encodedPath(parts.path);
  // A `#` in the query is the client's (a fragment is never sent), not the start of a fragment the URL would drop.
  const query = parts.query.replaceAll("#", "%23");
  const url = query === "" ? `${scheme}://${host}${path}` : `${scheme}://${host}${path}?${query}`;
  const bytes = readBody(parts.body, parts.isBase64Encoded);
  // API Gateway passes a GET's body along; fetch refuses one, and no route reads it.
  const withBody = bytes !== null && method !== "GET" && method !== "HEAD";
  return { method, url: parsedUrl(url), headers, body: withBody ? oneChunk(bytes) : null };
}

function parsedUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch (error) {
    // A host that passed urlHostOf but is no host (`[::x]`, a port over 65535).
    throw new MalformedEventError("The event's host and path do not form a valid URL.", { cause: error });
  }
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

// Fetch upper-cases these whatever their case, and refuses the forbidden ones.
const NORMALISED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * The HTTP method of an event, as a fetch `Request` would hold it: a token, not CONNECT, TRACE or TRACK in any
 * case, with the common methods upper-cased (`get` → `GET`) and any other kept as sent.
 */
export function readMethod(value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new MalformedEventError("The event has no HTTP method.");
  }
  if (NORMALISED_METHODS.has(value)) return value;
  if (!isToken(value)) throw new MalformedEventError("The event's HTTP method is not a valid method.");
  const upper = value.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) throw new MalformedEventError("The event's HTTP method is not allowed.");
  return NORMALISED_METHODS.has(upper) ? upper : value;
}

/** The path of an event: a string that starts with `/`. */
export function readPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/")) {
    throw new MalformedEventError("The event has no path, or one that does not start with /.");
  }
  return value;
}

/** `path` without a leading `prefix` segment (`/dev/todos` → `/todos`); unchanged when it does not start so. */
export function stripPrefix(path: string, prefix: string): string {
  if (path === prefix) return "/";
  return path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f
    ? path.slice(prefix.length)
    : path;
}

/**
 * A request read from an event, and the path the service's URL has in front of the request's path (`/prod`
 * for a REST API's stage, `/v1` for a custom domain's base path; "" for none): the reply's paths get it back.
 */
export interface EventRequest {
  request: HttpRequest;
  pathPrefix: string;
}

/** An event's path as it is being read: what is left for core, and the prefixes removed from it so far. */
export interface PathReading {
  path: string;
  prefix: string;
}

/**
 * `reading` without a leading `prefix` segment, which joins the removed ones when the service's URL has it
 * (`inUrl`); unchanged when it has none.
 */
export function removePrefix(reading: PathReading, prefix: string, inUrl = true): PathReading {
  const path = stripPrefix(reading.path, prefix);
  if (path === reading.path) return reading;
  return { path, prefix: inUrl ? `${reading.prefix}${prefix}` : reading.prefix };
}

/** The stage an event names, unless it is the default one (`$default`, or none), whose URLs have no stage. */
export function namedStageOf(context: EventRecord): string | undefined {
  const { stage } = context;
  return typeof stage === "string" && stage !== "$default" && stage !== "" ? stage : undefined;
}

/**
 * Whether the event came through API Gateway's own domain (`<id>.execute-api.<region>.amazonaws.com`), whose
 * URLs start with a named stage; a custom domain's never do (its API mapping picks the stage).
 */
export function isExecuteApiDomain(domainName: unknown): boolean {
  return typeof domainName === "string" && domainName.includes(".execute-api.");
}

/** Normalises a base path option: `"api/"` → `"/api"`; `""` and `"/"` mean none. */
export function normaliseBasePath(basePath: string | undefined): string | undefined {
  const trimmed = basePath?.replace(/^\/+|\/+$/g, "");
  return trimmed ? `/${trimmed}` : undefined;
}

// What may appear literally in an encoded path; anything else, or a `%` not starting an escape, was decoded.
const NOT_IN_ENCODED_PATH = /[^\w\-.~!$&'()*+,;=:@/%]|%(?![0-9A-Fa-f]{2})/u;
const NOT_IN_ENCODED_PATH_ALL = new RegExp(NOT_IN_ENCODED_PATH.source, "gu");
// In a decoded path, every `%` is a percent sign: one the client sent as `%25`.
const NOT_IN_PATH_ALL = /[^\w\-.~!$&'()*+,;=:@/]/gu;

/**
 * A path that REST APIs and Function URLs pass percent-encoded, encoded in full: what can only have been
 * decoded (a space, `?`, `#`, non-ASCII, a `%` that starts no escape) is escaped, so that a hand-written
 * `/hello/Jane Doe` reaches core as `/hello/Jane%20Doe`, and a `?` does not start a query.
 */
export function encodedPath(path: string): string {
  if (!NOT_IN_ENCODED_PATH.test(path)) return path;
  return escapeAll(path, NOT_IN_ENCODED_PATH_ALL);
}

/**
 * A path that an HTTP API passes decoded (`rawPath` in 2.0, `path` in 1.0), encoded again: every `%` too, so
 * that `/hello/100%2541` (the name `100%41`) is not decoded a second time into `100A`, and a client's
 * `%252e%252e` does not become a `..` that climbs out of the route API Gateway matched.
 */
export function escapedPath(path: string): string {
  return escapeAll(path, NOT_IN_PATH_ALL);
}

function escapeAll(path: string, characters: RegExp): string {
  try {
    return path.replace(characters, (character) => encodeURIComponent(character));
  } catch (error) {
    throw new MalformedEventError("The event's path is not valid Unicode.", { cause: error });
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The event's body as bytes; null when there is none. */
function readBody(body: unknown, isBase64Encoded: unknown): Uint8Array | null {
  if (body === undefined || body === null || body === "") return null;
  if (typeof body !== "string") throw new MalformedEventError("The event's body is not a string.");
  if (isBase64Encoded === undefined || isBase64Encoded === false) return Buffer.from(body, "utf8");
  if (isBase64Encoded !== true) {
    throw new MalformedEventError("The event's isBase64Encoded is not a boolean.");
  }
  if (body.length % 4 !== 0 || !BASE64.test(body)) {
    throw new MalformedEventError("The event's body is marked base64 but is not valid base64.");
  }
  return Buffer.from(body, "base64");
}
