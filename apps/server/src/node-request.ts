import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import {
  type HttpHeaders,
  type HttpRequest,
  RequestAbortedError,
  RequestTimeoutError,
  urlHostOf,
  withSignalOnDemand,
} from "@anycloud/core";

export interface NodeRequestOptions {
  /** Runs when the body is first asked for, before any byte is awaited (to send a 100 Continue). */
  onFirstRead?: () => void;
  /**
   * The signal aborted when the request is given up, asked for only when core reads `request.signal` (an
   * import does; a GET never does): creating an AbortController for every request cost several percent of a
   * small GET's time.
   */
  signal?: () => AbortSignal;
  /** How long a body may send nothing while it is waited for; then reading fails with REQUEST_TIMEOUT. */
  bodyIdleMs?: number;
}

const DEFAULT_BODY_IDLE_MS = 60_000;

/**
 * Core's view of a node:http request, built without a fetch `Request`: the headers are node's own object,
 * and the body is the message itself, read as it arrives.
 *
 * Reading stops early when core refuses a body (over its limit, wrong type): the iterator is returned without
 * destroying the message, since destroying an unfinished message destroys the socket before the refusal is
 * written. The server then discards what is left (see serve-request.ts).
 */
export function httpRequestOf(
  message: IncomingMessage,
  { onFirstRead, signal, bodyIdleMs = DEFAULT_BODY_IDLE_MS }: NodeRequestOptions = {},
): HttpRequest {
  const method = message.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const request = {
    method,
    url: urlOf(message),
    headers: new NodeHeaders(message.headers),
    body: hasBody ? bodyOf(message, bodyIdleMs, onFirstRead) : null,
  };
  return signal === undefined ? request : withSignalOnDemand(request, signal);
}

/**
 * An origin-form target (`/todos?limit=2`) on the Host it was sent to, or on localhost when that Host could
 * not make a URL (`example.com:99999`); an absolute-form target as it is. Core answers 400 to what is still no
 * URL (`OPTIONS *`).
 */
function urlOf(message: IncomingMessage): string {
  // A `#` node lets through is the client's character (a fragment is never sent), not a fragment to drop.
  const target = (message.url ?? "/").replaceAll("#", "%23");
  if (!target.startsWith("/")) return target;
  const host = urlHostOf(message.headers.host);
  const url = host === undefined ? "" : `http://${host}${target}`;
  return url !== "" && URL.canParse(url) ? url : `http://localhost${target}`;
}

/**
 * The message's bytes; a client that hangs up mid-body is the client's doing, not a server failure. A body
 * that sends nothing for `idleMs` while it is waited for fails with `RequestTimeoutError` (408). The time core
 * spends between reads is not counted: an import reads as fast as its store writes, and an upload that keeps
 * arriving is never cut, however long its import takes.
 */
async function* bodyOf(
  message: IncomingMessage,
  idleMs: number,
  onFirstRead?: () => void,
): AsyncGenerator<Uint8Array> {
  onFirstRead?.();
  const chunks = message.iterator({ destroyOnReturn: false });
  let timedOut = false;
  try {
    for (;;) {
      const next = await withinIdle(chunks.next(), idleMs);
      if (next.done) return;
      yield next.value as Uint8Array;
    }
  } catch (error) {
    // Only the idle timer throws this: nothing else reaches the generator.
    timedOut = error instanceof RequestTimeoutError;
    if (timedOut) throw error;
    if (message.aborted || (error as NodeJS.ErrnoException).code === "ECONNRESET") {
      throw new RequestAbortedError(undefined, { cause: error });
    }
    throw error;
  } finally {
    // After a timeout a read is still pending, and `return` would wait for it: the connection's close ends it.
    if (timedOut) chunks.return?.(undefined).catch(() => {});
    else await chunks.return?.(undefined);
  }
}

function withinIdle<T>(next: Promise<T>, idleMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(idleMs)), idleMs);
  });
  return Promise.race([next, idle]).finally(() => clearTimeout(timer));
}

/** node's header object behind fetch's lookup rules; node already joins repeated values (`cookie` with `; `). */
class NodeHeaders implements HttpHeaders {
  constructor(private readonly headers: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const key = name.toLowerCase();
    if (!Object.hasOwn(this.headers, key)) return null;
    const value = this.headers[key];
    if (value === undefined) return null;
    return typeof value === "string" ? value : value.join(", ");
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const name of Object.keys(this.headers)) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
}
