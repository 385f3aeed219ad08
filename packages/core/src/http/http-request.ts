/**
 * What core reads of an HTTP request. A fetch `Request` is one as it is. A runtime can also hand core a
 * request of its own making (node:http, a Lambda event) and skip building a `Request`, the costliest step of a
 * small request, and one that loads undici at cold start.
 */
export interface HttpRequest {
  /** Upper-case, as sent. */
  readonly method: string;
  /** Absolute; core reads only its path and query. */
  readonly url: string;
  readonly headers: HttpHeaders;
  /**
   * The body's bytes as they arrive, read at most once; null when there is none. A reader that stops early
   * (a size limit, an error) calls the iterator's `return`, which releases the rest.
   */
  readonly body: AsyncIterable<Uint8Array> | null;
  /**
   * Aborted when the request is given up (the client went, the server is stopping): work done for it, such as
   * an import of a body already read whole, stops. As fetch's `Request.signal`.
   */
  readonly signal?: AbortSignal;
  /**
   * The id the platform gave this request (Lambda's `awsRequestId`), used as the request's id when the client
   * sent no well-formed `x-request-id`: the answer and core's log lines then name what the platform's logs name.
   */
  readonly requestId?: string;
}

/**
 * `request` with a `signal` made by `makeSignal` when core first reads it: only an import does, and the rest
 * need none, so that a runtime pays for its AbortController (and any timer behind it) only when it is used.
 */
export function withSignalOnDemand(
  request: HttpRequest,
  makeSignal: () => AbortSignal | undefined,
): HttpRequest {
  return Object.defineProperty({ ...request }, "signal", { get: makeSignal, enumerable: true });
}

const HOST = /^(?:[\w-]+(?:\.[\w-]+)*|\[[\dA-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * A Host value (name or bracketed address, optional port) fit to build a request's URL from, or undefined:
 * anything else (a path, a user, spaces) could move the path. Runtimes call it on the Host they were sent.
 */
export function urlHostOf(value: unknown): string | undefined {
  return typeof value === "string" && HOST.test(value) ? value : undefined;
}

/** A request's headers as fetch's `Headers` shows them: looked up by any case, repeated values joined. */
export interface HttpHeaders extends Iterable<[name: string, value: string]> {
  get(name: string): string | null;
}
