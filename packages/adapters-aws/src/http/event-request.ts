import { MalformedEventError } from "./malformed-event.js";

/** An event as a plain object: translators read its fields and check each one they use. */
export type EventRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is EventRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The fields every payload format gives, once read and checked. */
export interface RequestParts {
  method: string;
  /** The path as the event gives it, with any stage or base path already removed. */
  path: string;
  /** Already encoded, without the `?`; "" when there is none. */
  query: string;
  headers: Headers;
  body: unknown;
  isBase64Encoded: unknown;
  domainName: unknown;
}

/** Builds the `Request` core sees; throws `MalformedEventError` (or a `TypeError` from fetch) when it cannot. */
export function toRequest(parts: RequestParts): Request {
  const { method, headers } = parts;
  const host = hostOf(headers.get("host")) ?? hostOf(parts.domainName) ?? "localhost";
  const scheme = headers.get("x-forwarded-proto") === "http" ? "http" : "https";
  const path = encodedPath(parts.path);
  const url = parts.query === "" ? `${scheme}://${host}${path}` : `${scheme}://${host}${path}?${parts.query}`;
  const body = readBody(parts.body, parts.isBase64Encoded);
  // API Gateway passes a GET's body along; fetch refuses one, and no route reads it.
  const withBody = body !== null && method !== "GET" && method !== "HEAD";
  return new Request(url, withBody ? { method, headers, body } : { method, headers });
}

const HOST = /^(?:[\w-]+(?:\.[\w-]+)*|\[[\dA-Fa-f:.]+\])(?::\d{1,5})?$/;

/** A host name (and port) fit to build a URL from; anything else could move the path, so it is not used. */
function hostOf(value: unknown): string | undefined {
  return typeof value === "string" && HOST.test(value) ? value : undefined;
}

/** The HTTP method of an event: a non-empty string (fetch checks the rest). */
export function readMethod(value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new MalformedEventError("The event has no HTTP method.");
  }
  return value;
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

/** Normalises a base path option: `"api/"` → `"/api"`; `""` and `"/"` mean none. */
export function normaliseBasePath(basePath: string | undefined): string | undefined {
  const trimmed = basePath?.replace(/^\/+|\/+$/g, "");
  return trimmed ? `/${trimmed}` : undefined;
}

// What may appear literally in an encoded path; anything else, or a `%` not starting an escape, was decoded.
const NOT_IN_ENCODED_PATH = /[^\w\-.~!$&'()*+,;=:@/%]|%(?![0-9A-Fa-f]{2})/u;
const NOT_IN_ENCODED_PATH_ALL = new RegExp(NOT_IN_ENCODED_PATH.source, "gu");

/**
 * REST APIs and Function URLs pass the path percent-encoded, HTTP APIs pass it decoded: escape what can only
 * be decoded (a space, `?`, `#`, non-ASCII, a bare `%`), so `/hello/Jane Doe` and `/hello/Jane%20Doe` both
 * reach core as the latter, and a decoded `?` does not start a query.
 */
export function encodedPath(path: string): string {
  if (!NOT_IN_ENCODED_PATH.test(path)) return path;
  try {
    return path.replace(NOT_IN_ENCODED_PATH_ALL, (character) => encodeURIComponent(character));
  } catch (error) {
    throw new MalformedEventError("The event's path is not valid Unicode.", { cause: error });
  }
}

/** Appends a header value; several `cookie` values join with `; ` (fetch would join them with `, `). */
export function appendHeader(headers: Headers, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string") throw new MalformedEventError("A header value is not a string.");
  const existing = name.length === 6 && name.toLowerCase() === "cookie" ? headers.get("cookie") : null;
  if (existing === null) headers.append(name, value);
  else headers.set("cookie", `${existing}; ${value}`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function readBody(body: unknown, isBase64Encoded: unknown): Uint8Array<ArrayBuffer> | string | null {
  if (body === undefined || body === null || body === "") return null;
  if (typeof body !== "string") throw new MalformedEventError("The event's body is not a string.");
  if (isBase64Encoded === undefined || isBase64Encoded === false) return body;
  if (isBase64Encoded !== true) {
    throw new MalformedEventError("The event's isBase64Encoded is not a boolean.");
  }
  if (body.length % 4 !== 0 || !BASE64.test(body)) {
    throw new MalformedEventError("The event's body is marked base64 but is not valid base64.");
  }
  return Buffer.from(body, "base64");
}
