import {
  MalformedJsonError,
  PayloadTooLargeError,
  UnsupportedContentEncodingError,
  UnsupportedMediaTypeError,
} from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";

/** The media type of a request without its parameters, lower-cased; "" when absent. */
export function mediaTypeOf(request: HttpRequest): string {
  const header = request.headers.get("content-type") ?? "";
  return header.split(";", 1)[0]!.trim().toLowerCase();
}

function charsetIsUtf8(request: HttpRequest): boolean {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers.get("content-type") ?? "");
  return match === null || match[1]!.toLowerCase() === "utf-8" || match[1]!.toLowerCase() === "utf8";
}

/** Refuses a compressed body: its bytes would be read as text (a gzip upload as a CSV of garbage). */
function assertNotEncoded(request: HttpRequest): void {
  const encoding = request.headers.get("content-encoding")?.trim().toLowerCase();
  if (encoding && encoding !== "identity") throw new UnsupportedContentEncodingError(encoding);
}

/** Refuses a body whose declared length is over the limit before reading a byte of it. */
function assertDeclaredLength(request: HttpRequest, limitBytes: number): void {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
}

/**
 * An upload's body for a use case that acts while it reads (an import writes as it goes), checked before the
 * use case starts so that a body over the limit changes nothing: over a declared Content-Length, refused at
 * once; with a Content-Length within the limit, streamed (the HTTP parser delivers no more than it declared);
 * without one (chunked), read whole first, up to the limit.
 */
export async function uploadBody(
  request: HttpRequest,
  limitBytes: number,
): Promise<AsyncIterable<Uint8Array>> {
  assertDeclaredLength(request, limitBytes);
  if (request.headers.get("content-length") !== null) return limitedBody(request, limitBytes);
  return replay(await readBodyBytes(request, limitBytes));
}

/** The whole body, within the limit. */
export async function readBodyBytes(request: HttpRequest, limitBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of limitedBody(request, limitBytes)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const REPLAY_CHUNK_BYTES = 64 * 1024;

/**
 * Bytes read already, as a body to stream again, in 64 KiB slices (views, not copies), as a socket or a file
 * would give them: a 10 MiB body in one chunk would be parsed into 200,000 records held at once, and an import
 * checks whether it was stopped between chunks.
 */
export async function* replay(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += REPLAY_CHUNK_BYTES) {
    yield bytes.subarray(start, start + REPLAY_CHUNK_BYTES);
  }
}

/**
 * The body as a stream that fails with `PayloadTooLargeError` as soon as more than `limitBytes` arrive,
 * cancelling the rest: an over-long body is never read past its limit, whatever Content-Length said.
 */
export async function* limitedBody(request: HttpRequest, limitBytes: number): AsyncGenerator<Uint8Array> {
  assertDeclaredLength(request, limitBytes);
  if (!request.body) return;
  let received = 0;
  // Leaving the loop early (the limit, an error, a consumer that gave up) returns the body's iterator, which
  // releases the bytes not read: a fetch body is cancelled, a node:http one left for the bridge to discard.
  for await (const chunk of request.body) {
    received += chunk.byteLength;
    if (received > limitBytes) throw new PayloadTooLargeError(limitBytes);
    yield chunk;
  }
}

/** Reads a JSON body: `application/json` (or `+json`) in UTF-8, within the limit, well-formed. */
export async function readJsonBody(request: HttpRequest, limitBytes: number): Promise<unknown> {
  const type = mediaTypeOf(request);
  if ((type !== "application/json" && !type.endsWith("+json")) || !charsetIsUtf8(request)) {
    throw new UnsupportedMediaTypeError("application/json");
  }
  assertNotEncoded(request);
  const bytes = await readBodyBytes(request, limitBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new MalformedJsonError("The body is not valid UTF-8.", { cause: error });
  }
  if (text.trim() === "") throw new MalformedJsonError("The body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedJsonError("The body is not well-formed JSON.", { cause: error });
  }
}

/** Accepts a CSV upload's media type (`text/csv`, or `application/csv` which some clients send). */
export function assertCsvBody(request: HttpRequest): void {
  const type = mediaTypeOf(request);
  if ((type !== "text/csv" && type !== "application/csv") || !charsetIsUtf8(request)) {
    throw new UnsupportedMediaTypeError("text/csv");
  }
  assertNotEncoded(request);
}
