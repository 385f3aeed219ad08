import { randomUUID } from "node:crypto";
import { type Logger, silentLogger } from "../shared/logger.js";
import { type CorsOptions, CorsPolicy } from "./cors.js";
import { errorReply } from "./error-responses.js";
import { MalformedRequestError } from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";
import { BASE_HEADERS, type Reply, replyOf, toResponse } from "./responses.js";
import type { Router } from "./router.js";

/** A fetch-style HTTP API. */
export type FetchApi = (request: Request) => Promise<Response>;

/** The same API without fetch's classes: a request of the runtime's making in, a plain reply out. */
export type HttpHandler = (request: HttpRequest) => Promise<Reply>;

/**
 * Core's HTTP API in both forms: call it with a `Request` for a `Response` (tests, fetch-based runtimes), or
 * `handle` an `HttpRequest` for a complete `Reply` (node:http and Lambda, which then build neither).
 */
export interface HttpApi extends FetchApi {
  readonly handle: HttpHandler;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Whether a caller-supplied id (request id, idempotency key) is safe to echo and store. */
export function isWellFormedKey(value: string): boolean {
  return REQUEST_ID.test(value);
}

/**
 * Turns a route table into an API: gives each request an id (the caller's `x-request-id` when well-formed, else
 * the platform's, else a new one), maps every error to a problem reply in one place, adds the headers every
 * response carries (CORS's too, when `cors` names origins: see `CorsPolicy`), and answers HEAD without a body.
 */
export function serveRoutes(router: Router, logger: Logger = silentLogger, cors?: CorsOptions): HttpApi {
  const policy = CorsPolicy.of(cors);
  async function handle(request: HttpRequest): Promise<Reply> {
    const requestId = requestIdFrom(request.headers.get("x-request-id"), request.requestId);
    let reply: Reply;
    let preflight: Reply | undefined;
    try {
      const url = urlOf(request);
      preflight = policy?.preflight(request, () => router.methodsAt(url.pathname));
      if (preflight !== undefined) {
        reply = preflight;
      } else {
        const { handler, params } = router.resolve(request.method, url.pathname);
        reply = await handler({ request, url, params, requestId });
      }
    } catch (error) {
      reply = errorReply(error, requestId, logger);
    }
    // A preflight's answer carries its CORS headers already; every other answer gets them here.
    const crossOrigin = reply === preflight ? undefined : policy?.headersFor(request, reply.headers);
    const headers = { ...BASE_HEADERS, ...reply.headers, ...crossOrigin, "x-request-id": requestId };
    return request.method === "HEAD" || reply.body === undefined
      ? { status: reply.status, headers }
      : { status: reply.status, headers, body: reply.body };
  }
  return Object.assign(async (request: Request) => toResponse(await handle(request)), { handle });
}

/**
 * A request's id: the first of `candidates` that is well-formed (the caller's `x-request-id`, then the
 * platform's id for the request), else a new one. Runtimes that answer a request themselves use it too.
 */
export function requestIdFrom(...candidates: (string | null | undefined)[]): string {
  return candidates.find((id): id is string => typeof id === "string" && isWellFormedKey(id)) ?? randomUUID();
}

function urlOf(request: HttpRequest): URL {
  try {
    return new URL(request.url);
  } catch (error) {
    throw new MalformedRequestError("The request target is not a URL this API serves.", { cause: error });
  }
}

/**
 * Any fetch-style API (Hono, itty-router, one of your own) as an `HttpApi`, for a runtime adapter that works
 * with replies: its `handle` builds the `Request` (with the request's signal) and reads the `Response` whole.
 */
export function httpApiOf(api: FetchApi): HttpApi {
  async function handle(request: HttpRequest): Promise<Reply> {
    const init: RequestInit & { duplex?: "half" } = { method: request.method, headers: [...request.headers] };
    // The API's `Request.signal` says the request was given up (the client went, Lambda's time limit is near), as
    // `HttpRequest.signal` does for core's routes. Reading it makes a lazy one (`withSignalOnDemand`) for every
    // request: building the Request costs more.
    const signal = request.signal;
    if (signal !== undefined) init.signal = signal;
    if (request.body !== null && request.method !== "GET" && request.method !== "HEAD") {
      // Node's fetch takes an async iterable as a streamed body (the DOM types do not say so).
      init.body = request.body as unknown as BodyInit;
      init.duplex = "half";
    }
    return replyOf(await api(new Request(request.url, init)));
  }
  return Object.assign((request: Request) => api(request), { handle });
}
