/**
 * What a route answers: a plain object, turned into the one `Response` of the request by `serveRoutes`
 * (`toResponse`), which adds the headers every response carries. Building the Response once, complete,
 * matters for speed: a Response's constructor is the costliest step of a small request under undici, and
 * touching the headers of @hono/node-server's lightweight Response afterwards forces a second, full one.
 */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Text (JSON); absent for an empty body. */
  body?: string;
}

/** Every response carries these: nothing is cached by intermediaries, and no content is sniffed. */
export const BASE_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" } as const;

export function jsonReply(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export function emptyReply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers };
}

/** An RFC 9457 problem document. */
export function problemReply(
  problem: { status: number } & Record<string, unknown>,
  headers: Record<string, string> = {},
): Reply {
  return {
    status: problem.status,
    headers: { "content-type": "application/problem+json", ...headers },
    body: JSON.stringify(problem),
  };
}

/** The Response of a reply, with the base headers and any added here (the request id); no body for HEAD. */
export function toResponse(
  reply: Reply,
  extraHeaders: Record<string, string> = {},
  withBody = true,
): Response {
  return new Response(withBody ? (reply.body ?? null) : null, {
    status: reply.status,
    headers: { ...BASE_HEADERS, ...reply.headers, ...extraHeaders },
  });
}
