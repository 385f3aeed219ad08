/** Decides whether a response body must travel base64-encoded. Built once per handler. */
export type BinaryTest = (headers: Headers) => boolean;

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
    const contentType = headers.get("content-type");
    if (contentType === null || anyListed) return true;
    const encoding = headers.get("content-encoding");
    if (encoding !== null && encoding !== "identity") return true;
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

/** The body of a Lambda proxy result: "" for HEAD and empty bodies, base64 for binary ones. */
export async function resultBody(
  response: Response,
  method: string,
  isBinary: BinaryTest,
): Promise<{ body: string; isBase64Encoded: boolean }> {
  if (response.body === null) return { body: "", isBase64Encoded: false };
  if (method === "HEAD") {
    await response.body.cancel();
    return { body: "", isBase64Encoded: false };
  }
  if (!isBinary(response.headers)) return { body: await response.text(), isBase64Encoded: false };
  const bytes = Buffer.from(await response.arrayBuffer());
  // An empty body is "", whatever its type.
  return bytes.length === 0
    ? { body: "", isBase64Encoded: false }
    : { body: bytes.toString("base64"), isBase64Encoded: true };
}

/** The response's headers without `set-cookie` (fetch joins repeated headers with `, `, except that one). */
export function singleValueHeaders(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie") result[name] = value;
  });
  return result;
}
