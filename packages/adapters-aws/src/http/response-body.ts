import type { Reply } from "@anycloud/core";

/** A reply's headers: lower-case names, only `set-cookie` possibly several values. */
export type ReplyHeaders = NonNullable<Reply["headers"]>;

/** Decides, from a reply's headers, whether its body must travel base64-encoded. Built once per handler. */
export type BinaryTest = (headers: ReplyHeaders) => boolean;

const TEXT_TYPES = new Set([
  "application/json",
  "application/xml",
  "application/javascript",
  "application/x-www-form-urlencoded",
]);
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * A body is sent as text when its media type is textual (`text/*`, JSON, XML, JavaScript, form data, `+json`,
 * `+xml`) in UTF-8 and not content-encoded; anything else, or a type listed in `binaryMediaTypes` (`image/png`,
 * `image/*`, `*\/*`), is sent base64-encoded. A body without a content type is treated as binary: base64
 * carries any bytes unchanged.
 */
export function binaryTest(binaryMediaTypes: readonly string[] = []): BinaryTest {
  const listed = new Set(binaryMediaTypes.map((type) => type.trim().toLowerCase()));
  const anyListed = listed.has("*/*");
  return (headers) => {
    const contentType = singleValue(headers["content-type"]);
    if (contentType === undefined || anyListed) return true;
    const encoding = singleValue(headers["content-encoding"]);
    if (encoding !== undefined && encoding !== "identity") return true;
    const semicolon = contentType.indexOf(";");
    const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
    if (listed.size > 0 && (listed.has(mediaType) || listed.has(`${mediaType.split("/", 1)[0]}/*`)))
      return true;
    const textual =
      mediaType.startsWith("text/") ||
      TEXT_TYPES.has(mediaType) ||
      mediaType.endsWith("+json") ||
      mediaType.endsWith("+xml");
    if (!textual) return true;
    if (semicolon === -1) return false;
    const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
    return charset !== undefined && charset !== "utf-8" && charset !== "utf8" && charset !== "us-ascii";
  };
}

/** A header's value as fetch's `Headers.get` gives it: several values joined with `, `. */
function singleValue(value: string | readonly string[] | undefined): string | undefined {
  return value === undefined || typeof value === "string" ? value : value.join(", ");
}

const EMPTY = { body: "", isBase64Encoded: false } as const;
// Byte for byte: a byte order mark is kept (a CSV export needs it for Excel), and bytes that are not UTF-8
// throw rather than turn into U+FFFD.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The body of a Lambda proxy result: "" for HEAD and empty bodies, the text of a textual one, and base64 for
 * any other. Textual bytes that are not UTF-8 go base64 too, so that the client gets the bytes the API sent
 * (a REST API decodes them only when the client's first `Accept` type is in its `binaryMediaTypes`).
 */
export function resultBody(
  reply: Reply,
  method: string,
  isBinary: BinaryTest,
): { body: string; isBase64Encoded: boolean } {
  const { body } = reply;
  if (body === undefined || body.length === 0 || method === "HEAD") return EMPTY;
  if (typeof body === "string") {
    return isBinary(reply.headers ?? {})
      ? { body: Buffer.from(body, "utf8").toString("base64"), isBase64Encoded: true }
      : { body, isBase64Encoded: false };
  }
  const text = isBinary(reply.headers ?? {}) ? undefined : utf8Text(body);
  if (text !== undefined) return { body: text, isBase64Encoded: false };
  return {
    body: Buffer.from(body.buffer, body.byteOffset, body.length).toString("base64"),
    isBase64Encoded: true,
  };
}

function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * What payload 1.0 and 2.0 results share (status, single-value headers, body), and the reply's `set-cookie`
 * values, which each format carries in a place of its own.
 */
export function proxyResultOf(
  reply: Reply,
  method: string,
  isBinary: BinaryTest,
  pathPrefix = "",
): {
  result: { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
  cookies: string[];
} {
  const { body, isBase64Encoded } = resultBody(reply, method, isBinary);
  const result = {
    statusCode: reply.status,
    headers: singleValueHeaders(reply.headers, pathPrefix),
    body,
    isBase64Encoded,
  };
  return { result, cookies: setCookiesOf(reply.headers) };
}

/**
 * The reply's headers without `set-cookie`, each a single value (several values join with `, `, as in fetch),
 * with `pathPrefix` put back in front of the paths of `location`, `content-location` and `link`.
 */
export function singleValueHeaders(headers: ReplyHeaders = {}, pathPrefix = ""): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    if (name === "set-cookie") continue;
    const value = singleValue(headers[name])!;
    result[name] = pathPrefix === "" ? value : withPathPrefix(name, value, pathPrefix);
  }
  return result;
}

// A path-absolute reference (`/todos/1`), not a network-path one (`//host/x`).
const PATH_ABSOLUTE = /^\/(?!\/)/;
const LINK_PATH_TARGET = /<(?=\/(?!\/))/g;

/**
 * `value` with `prefix` in front of its path-absolute references, for the headers that carry them. Core answers
 * paths from its root (`/todos/1`); behind a stage or base path the handler removed (`/prod`), a client
 * resolves them against the service's URL, where they are `/prod/todos/1`.
 */
function withPathPrefix(name: string, value: string, prefix: string): string {
  if (name === "location" || name === "content-location") {
    return PATH_ABSOLUTE.test(value) ? `${prefix}${value}` : value;
  }
  if (name === "link") return value.replace(LINK_PATH_TARGET, () => `<${prefix}`);
  return value;
}

/** The reply's `set-cookie` values, one per cookie: the one header a Lambda result carries apart. */
export function setCookiesOf(headers: ReplyHeaders = {}): string[] {
  const cookies = headers["set-cookie"];
  if (cookies === undefined) return [];
  return typeof cookies === "string" ? [cookies] : [...cookies];
}
