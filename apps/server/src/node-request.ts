import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import {
  type HttpHeaders,
  type HttpRequest,
  RequestAbortedError,
  RequestTimeoutError,
  urlHostOf,
  withSignalOnDemand,
} from "@anycloud/core";
import { DEFAULT_BODY_MIN_RATE } from "./server-limits.js";

export interface NodeRequestOptions {
  /** The request's id unless the client sent a well-formed `x-request-id` (core's `HttpRequest.requestId`). */
  requestId?: string;
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
  /**
   * The bytes a second a body must send, on average over the time it is waited for, once its first `bodyIdleMs`
   * of waiting are spent; then reading fails with REQUEST_TIMEOUT. 0: no minimum, the idle rule alone.
   */
  bodyMinRate?: number;
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
  {
    requestId,
    onFirstRead,
    signal,
    bodyIdleMs = DEFAULT_BODY_IDLE_MS,
    bodyMinRate = DEFAULT_BODY_MIN_RATE,
  }: NodeRequestOptions = {},
): HttpRequest {
  const method = message.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const request = {
    method,
    url: urlOf(message),
    headers: new NodeHeaders(message.headers),
    body: hasBody ? bodyOf(message, { idleMs: bodyIdleMs, minRate: bodyMinRate }, onFirstRead) : null,
    requestId,
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
 * The message's bytes; a client that hangs up mid-body is the client's doing, not a server failure.
 *
 * Reading fails with `RequestTimeoutError` (408) when the body keeps the server waiting too long: when nothing
 * comes for `idleMs`, or when it comes slower than `minRate` bytes a second. The second rule is mod_reqtimeout's
 * `RequestReadTimeout body=<idle>,MinRate=<rate>`: the time the server waits for a body may not pass `idleMs`
 * plus 1 s for every `minRate` bytes it has sent. Unlike Apache's, that time is counted only while a read is
 * pending, that is while the server waits for the client: the time core spends between reads is not (an import
 * reads as fast as its store writes, and an upload that keeps pace is never cut, however long its import takes);
 * an event loop held by other work while a read is pending is, which the first `idleMs` absorb. A
 * trickle, a byte every few seconds, never trips the idle rule, and would otherwise hold what its request holds
 * (an import slot, a share of the body memory) for as long as it liked.
 */
async function* bodyOf(
  message: IncomingMessage,
  pace: { idleMs: number; minRate: number },
  onFirstRead?: () => void,
): AsyncGenerator<Uint8Array> {
  onFirstRead?.();
  const chunks = message.iterator({ destroyOnReturn: false });
  const waited = { ms: 0, bytes: 0 };
  let timedOut = false;
  try {
    for (;;) {
      const started = performance.now();
      const next = await withinPace(chunks.next(), pace, waited);
      waited.ms += performance.now() - started;
      if (next.done) return;
      const chunk = next.value as Uint8Array;
      waited.bytes += chunk.byteLength;
      yield chunk;
    }
  } catch (error) {
    // Only the pace's timer throws this: nothing else reaches the generator.
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

/**
 * `next`, unless it keeps the server waiting past `idleMs`, or past what is left of the body's time (`idleMs`,
 * plus 1 s for every `minRate` bytes, less the time waited already): then a `RequestTimeoutError` saying which.
 */
function withinPace<T>(
  next: Promise<T>,
  { idleMs, minRate }: { idleMs: number; minRate: number },
  waited: { ms: number; bytes: number },
): Promise<T> {
  const leftMs =
    minRate > 0 ? idleMs + (waited.bytes * 1000) / minRate - waited.ms : Number.POSITIVE_INFINITY;
  const tooSlow = leftMs < idleMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const fail = () => {
      if (!tooSlow) return reject(new RequestTimeoutError(idleMs));
      const seconds = (waited.ms + Math.max(leftMs, 0)) / 1000;
      reject(
        new RequestTimeoutError(
          idleMs,
          `The body came too slowly: ${waited.bytes} bytes in ${seconds.toFixed(1)} s of waiting for it, under ` +
            `the ${minRate} bytes a second needed once its first ${idleMs / 1000} s are past.`,
        ),
      );
    };
    timer = setTimeout(fail, tooSlow ? Math.max(leftMs, 0) : idleMs);
  });
  return Promise.race([next, timeout]).finally(() => clearTimeout(timer));
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
