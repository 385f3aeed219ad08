/**
 * What an HTTP API answers: a plain object. Routes build them, `serveRoutes` completes them (the headers every
 * response carries, the request id), and each runtime writes one out in its own terms: node:http writes it as
 * is, Lambda turns it into a proxy result, and the fetch form makes it one `Response`. No `Response` is built
 * on the way, which matters for speed: a Response's constructor is the costliest step of a small request.
 */
export interface Reply {
  status: number;
  /** Lower-case names. Only `set-cookie` may repeat, as an array of values. */
  headers?: Record<string, string | readonly string[]>;
  /** Text (JSON) from core's routes, bytes from a fetch-style API; absent for an empty body. */
  body?: string | Uint8Array;
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

/** The `Response` of a complete reply. */
export function toResponse(reply: Reply): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    if (typeof value === "string") headers.set(name, value);
    else for (const each of value) headers.append(name, each);
  }
  const body = reply.body === undefined || reply.body.length === 0 ? null : reply.body;
  return new Response(body as BodyInit | null, { status: reply.status, headers });
}

/** The reply of a `Response`: its status, its headers (`set-cookie` kept apart, value by value), its bytes. */
export async function replyOf(response: Response): Promise<Reply> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (response.body === null) return { status: response.status, headers };
  return { status: response.status, headers, body: new Uint8Array(await response.arrayBuffer()) };
}
