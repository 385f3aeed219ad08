/** Every response carries these: nothing is cached by intermediaries, and no content is sniffed. */
const BASE_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" } as const;

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...BASE_HEADERS, "content-type": "application/json", ...headers },
  });
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers: { ...BASE_HEADERS, ...headers } });
}

/** An RFC 9457 problem document. */
export function problemResponse(
  problem: { status: number } & Record<string, unknown>,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { ...BASE_HEADERS, "content-type": "application/problem+json", ...headers },
  });
}
