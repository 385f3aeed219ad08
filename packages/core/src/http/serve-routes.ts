import { randomUUID } from "node:crypto";
import { type Logger, silentLogger } from "../shared/logger.js";
import { errorReply } from "./error-responses.js";
import { type Reply, toResponse } from "./responses.js";
import type { Router } from "./router.js";

/** A fetch-style HTTP API: every runtime (Lambda, Azure, Google, node:http) only translates to and from it. */
export type FetchApi = (request: Request) => Promise<Response>;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Whether a caller-supplied id (request id, idempotency key) is safe to echo and store. */
export function isWellFormedKey(value: string): boolean {
  return REQUEST_ID.test(value);
}

/**
 * Turns a route table into a fetch-style API: gives each request an id (the caller's `x-request-id` when
 * well-formed), maps every error to a problem response in one place, and answers HEAD without a body.
 */
export function serveRoutes(router: Router, logger: Logger = silentLogger): FetchApi {
  return async function api(request: Request): Promise<Response> {
    const incomingId = request.headers.get("x-request-id");
    const requestId = incomingId !== null && isWellFormedKey(incomingId) ? incomingId : randomUUID();
    let reply: Reply;
    try {
      const url = new URL(request.url);
      const { handler, params } = router.resolve(request.method, url.pathname);
      reply = await handler({ request, url, params, requestId });
    } catch (error) {
      reply = errorReply(error, requestId, logger);
    }
    return toResponse(reply, { "x-request-id": requestId }, request.method !== "HEAD");
  };
}
