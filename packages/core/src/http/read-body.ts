import {
  InvalidParameterError,
  MalformedJsonError,
  MalformedRequestError,
  PayloadTooLargeError,
  ServerBusyError,
  UnsupportedContentEncodingError,
  UnsupportedMediaTypeError,
} from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";

/** The media type of a request without its parameters, lower-cased; "" when absent. */
export function mediaTypeOf(request: HttpRequest): string {
  const header = request.headers.get("content-type") ?? "";
  return header.split(";", 1)[0]!.trim().toLowerCase();
}

/** Charsets whose text reads the same as UTF-8: UTF-8 itself, and ASCII, its 7-bit subset. */
const UTF8_COMPATIBLE = new Set(["utf-8", "utf8", "us-ascii", "ascii"]);

function charsetIsUtf8(request: HttpRequest): boolean {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers.get("content-type") ?? "");
  return match === null || UTF8_COMPATIBLE.has(match[1]!.toLowerCase());
}

/** Refuses a compressed body: its bytes would be read as text (a gzip upload as a CSV of garbage). */
function assertNotEncoded(request: HttpRequest): void {
  const encoding = request.headers.get("content-encoding")?.trim().toLowerCase();
  if (encoding && encoding !== "identity") throw new UnsupportedContentEncodingError(encoding);
}

/** The declared Content-Length, if any; a value that is no number of bytes is refused (RFC 9112 §6.3: 400). */
function declaredLength(request: HttpRequest): number | undefined {
  const header = request.headers.get("content-length");
  if (header === null) return undefined;
  if (!/^\s*\d{1,15}\s*$/.test(header)) {
    throw new InvalidParameterError("Content-Length", "Content-Length must be a number of bytes.");
  }
  return Number(header);
}

/** Refuses a body whose declared length is over the limit before reading a byte of it; the declared length. */
export function assertDeclaredLength(request: HttpRequest, limitBytes: number): number | undefined {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  return declared;
}

/**
 * An upload's body for a use case that acts while it reads (an import writes as it goes), checked before the
 * use case starts so that a body over the limit changes nothing: over a declared Content-Length, refused at
 * once; with a Content-Length within the limit, streamed, and never past that length (an HTTP parser delivers
 * no more than was declared; a request made in process might, and is refused at the first byte beyond it, so
 * that no more than the limit is ever imported); without one (chunked), read whole first, up to the limit, and
 * held against `memory` until `use` is done with it. `use`'s result.
 */
export async function useUploadBody<T>(
  request: HttpRequest,
  limitBytes: number,
  memory: BodyMemory,
  use: (body: AsyncIterable<Uint8Array>) => Promise<T>,
): Promise<T> {
  const declared = assertDeclaredLength(request, limitBytes);
  if (declared !== undefined) return use(inSlices(bodyWithin(request, limitBytes, declared)));
  return memory.useWhole(request, limitBytes, (bytes) => use(replay(bytes)));
}

/**
 * `body` with no chunk over 64 KiB, a long one cut as `replay` cuts bytes read whole: a Lambda event's body, or
 * a fetch `Request` made of a buffer, comes in one chunk, which an import parsed into every record of the upload
 * at once, in one synchronous step (5.5 MB of one-letter rows took a Lambda function to 1.5 GB).
 */
async function* inSlices(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    if (chunk.byteLength <= REPLAY_CHUNK_BYTES) yield chunk;
    else yield* replay(chunk);
  }
}

/** How long a request refused for want of memory is told to wait before it is sent again (`Retry-After`). */
export const BODY_MEMORY_RETRY_AFTER_SECONDS = 5;

/**
 * The bytes of request bodies read whole (a JSON body, an upload with an `Idempotency-Key`, a chunked upload)
 * that an API holds at once, at most `maxBytes`: a body that would take them past it is refused with
 * `ServerBusyError` (503, `Retry-After`), on its Content-Length before a byte is read, or at the chunk that
 * crosses it. Without it every such request held its body until it was answered, and a body can be made to
 * arrive slowly: 50 uploads at the 10 MiB limit, each held one byte short of its end, took the server from
 * 80 MB to 660 MB, and nothing stopped more of them.
 */
export class BodyMemory {
  private held = 0;

  constructor(readonly maxBytes: number) {}

  /** The bytes it holds now. */
  get heldBytes(): number {
    return this.held;
  }

  /**
   * Reads the body whole, within `limitBytes` and its Content-Length, and runs `use` on it; counts it as held
   * from its first byte (its whole Content-Length when it declares one) until `use` is done.
   */
  async useWhole<T>(
    request: HttpRequest,
    limitBytes: number,
    use: (bytes: Buffer) => Promise<T> | T,
  ): Promise<T> {
    const declared = assertDeclaredLength(request, limitBytes);
    let taken = 0;
    const take = (bytes: number) => {
      if (this.held + bytes > this.maxBytes) throw new ServerBusyError(BODY_MEMORY_RETRY_AFTER_SECONDS);
      this.held += bytes;
      taken += bytes;
    };
    try {
      if (declared !== undefined) {
        take(declared);
        // Copied into one buffer as it arrives: the chunks die young, and no second copy is made at the end.
        const bytes = Buffer.allocUnsafe(declared);
        let length = 0;
        for await (const chunk of bodyWithin(request, limitBytes, declared)) {
          bytes.set(chunk, length);
          length += chunk.byteLength;
        }
        return await use(bytes.subarray(0, length));
      }
      // Without a length, the chunks are kept as they came, but those under BLOCK_BYTES are copied into blocks (of
      // 1 KiB, then twice as large each time, up to BLOCK_BYTES): node makes each chunk of a chunked body a Buffer
      // of its own, a few hundred bytes however small the chunk, and a body sent in chunks of one byte, kept so,
      // held some 400 times the bytes it counted (2 MB of it took the server from 79 MB to 891 MB). The bytes are
      // counted; a block's room not yet filled, at most BLOCK_BYTES a body, is not. (One buffer grown as it filled,
      // and counted whole, held 1.9 bytes a byte of a body sent in chunks of 64 KiB, where keeping them holds 1.1.)
      const kept: Uint8Array[] = [];
      let block = Buffer.alloc(0);
      let blockBytes = 0;
      let inBlock = 0;
      let length = 0;
      // The block's bytes so far join the kept chunks (one view a block, not one a chunk); its room left goes on.
      const closeBlock = () => {
        if (inBlock === 0) return;
        kept.push(block.subarray(0, inBlock));
        block = block.subarray(inBlock);
        inBlock = 0;
      };
      for await (const chunk of bodyWithin(request, limitBytes, declared)) {
        take(chunk.byteLength);
        length += chunk.byteLength;
        if (chunk.byteLength >= BLOCK_BYTES) {
          closeBlock();
          kept.push(chunk);
        } else {
          if (inBlock + chunk.byteLength > block.length) {
            closeBlock();
            blockBytes = Math.max(chunk.byteLength, Math.min(BLOCK_BYTES, Math.max(1024, blockBytes * 2)));
            block = Buffer.allocUnsafeSlow(blockBytes);
          }
          block.set(chunk, inBlock);
          inBlock += chunk.byteLength;
        }
      }
      closeBlock();
      return await use(Buffer.concat(kept, length));
    } finally {
      this.held -= taken;
    }
  }
}

/** A body without a length keeps its chunks of this size or more as they came, and copies smaller ones into blocks. */
const BLOCK_BYTES = 16 * 1024;

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
 * The body as a stream that fails with `PayloadTooLargeError` as soon as more than `limitBytes` arrive, and
 * with `MalformedRequestError` at the first byte past its Content-Length, cancelling the rest: an over-long
 * body is never read past its limit, whatever Content-Length said. A Content-Length over the limit, or that is
 * no number, is refused at once, before a byte is read.
 */
export function limitedBody(request: HttpRequest, limitBytes: number): AsyncGenerator<Uint8Array> {
  return bodyWithin(request, limitBytes, assertDeclaredLength(request, limitBytes));
}

/** `limitedBody` once the declared length (if any) was checked against the limit. */
async function* bodyWithin(
  request: HttpRequest,
  limitBytes: number,
  declared: number | undefined,
): AsyncGenerator<Uint8Array> {
  if (!request.body) return;
  let received = 0;
  // Leaving the loop early (the limit, an error, a consumer that gave up) returns the body's iterator, which
  // releases the bytes not read: a fetch body is cancelled, a node:http one left for the bridge to discard.
  for await (const chunk of request.body) {
    received += chunk.byteLength;
    if (received > limitBytes) throw new PayloadTooLargeError(limitBytes);
    if (declared !== undefined && received > declared) {
      throw new MalformedRequestError("The body is longer than its Content-Length.");
    }
    yield chunk;
  }
}

// A body of the right type in another charset is refused for its charset: the answer says which was wrong.
const UTF8_ONLY = "UTF-8 (a charset of utf-8 or its subset us-ascii, or none)";

// JSON, and the JSON Merge Patch (RFC 7396) a PATCH body is. Not any `+json`: a JSON Patch
// (`application/json-patch+json`, RFC 6902) is a list of operations that would be read as a malformed todo.
const JSON_TYPES = new Set(["application/json", "application/merge-patch+json"]);

/**
 * Reads a JSON body: `application/json` (or `application/merge-patch+json`) in UTF-8, within the limit,
 * well-formed, and naming no member of its top-level object twice; held against `memory` while it is read.
 */
export async function readJsonBody(
  request: HttpRequest,
  limitBytes: number,
  memory = new BodyMemory(limitBytes),
): Promise<unknown> {
  // A PATCH's 415 lists the patch formats (RFC 5789 §2.2), whether the type or its charset was refused: a
  // format is both.
  const acceptPatch = request.method === "PATCH" ? [...JSON_TYPES] : undefined;
  if (!JSON_TYPES.has(mediaTypeOf(request))) {
    throw new UnsupportedMediaTypeError("application/json (or application/merge-patch+json)", acceptPatch);
  }
  if (!charsetIsUtf8(request)) throw new UnsupportedMediaTypeError(UTF8_ONLY, acceptPatch);
  assertNotEncoded(request);
  return memory.useWhole(request, limitBytes, parseJson);
}

function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new MalformedJsonError("The body is not valid UTF-8.", { cause: error });
  }
  if (text.trim() === "") throw new MalformedJsonError("The body is empty; send a JSON object.");
  if (holdsMoreContainers(text, MAX_JSON_CONTAINERS)) {
    throw new MalformedJsonError(
      `The body holds more than ${MAX_JSON_CONTAINERS} objects and arrays; send one object of fields.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MalformedJsonError("The body is not well-formed JSON.", { cause: error });
  }
  // JSON.parse keeps a repeated member's last value, where a proxy in front may read its first: the two
  // would see different documents (RFC 8259 §4; I-JSON, RFC 7493 §2.3, forbids repeats). Bodies are flat
  // objects, so the top level is where it matters.
  if (isObject(value) && topLevelMemberCount(text) !== Object.keys(value).length) {
    throw new MalformedJsonError("The body names a member twice.");
  }
  return value;
}

/**
 * The most objects and arrays a JSON body may hold, counted before it is parsed. A body of the API is one flat
 * object; what JSON.parse makes of nesting costs 30 times the body's size: 32,000 nested arrays in a 64 KiB body
 * took 2.2 MB and 4 ms to parse and refuse, and at JSON_BODY_LIMIT's 10 MiB 315 MB and 1.3 s of the event loop
 * (an array of empty objects 245 MB), for an answer that was 422 whatever they held.
 */
export const MAX_JSON_CONTAINERS = 1000;

/** Whether `text` (not yet known to be JSON) opens more than `max` objects and arrays outside its strings. */
function holdsMoreContainers(text: string, max: number): boolean {
  let containers = 0;
  for (let at = 0; at < text.length; at++) {
    const char = text.charCodeAt(at);
    if (char === 0x7b || char === 0x5b) {
      if (++containers > max) return true;
    } else if (char === 0x22) {
      // A string: skip to its closing quote, the first with an even run of backslashes before it (none in a body
      // that never closes it, which JSON.parse refuses).
      let end = at;
      do {
        end = text.indexOf('"', end + 1);
        if (end === -1) return false;
      } while (backslashesBefore(text, end) % 2 === 1);
      at = end;
    }
  }
  return false;
}

function backslashesBefore(text: string, at: number): number {
  let count = 0;
  while (text.charCodeAt(at - 1 - count) === 0x5c) count++;
  return count;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How many member names the top-level object of well-formed JSON `text` has, repeats included. */
function topLevelMemberCount(text: string): number {
  let depth = 0;
  let members = 0;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") depth--;
    else if (char === '"') {
      // A string: skip to its closing quote, past escapes. At depth 1, a string followed by ':' is a name.
      for (at++; text[at] !== '"'; at++) if (text[at] === "\\") at++;
      if (depth !== 1) continue;
      let next = at + 1;
      while (/\s/.test(text[next] ?? "")) next++;
      if (text[next] === ":") members++;
    }
  }
  return members;
}

/** Accepts a CSV upload's media type (`text/csv`, or `application/csv` which some clients send). */
export function assertCsvBody(request: HttpRequest): void {
  const type = mediaTypeOf(request);
  if (type !== "text/csv" && type !== "application/csv") {
    throw new UnsupportedMediaTypeError("text/csv (or application/csv)");
  }
  if (!charsetIsUtf8(request)) throw new UnsupportedMediaTypeError(UTF8_ONLY);
  assertNotEncoded(request);
}
