/**
 * An `invoke` that sends the suite's requests to a server over real HTTP: same method, path, query,
 * headers and (streamed) body, against `baseUrl`.
 */
export function forwardTo(baseUrl: string): (request: Request) => Promise<Response> {
  return (request) => {
    const url = new URL(request.url);
    return fetch(new URL(url.pathname + url.search, baseUrl), {
      method: request.method,
      headers: request.headers,
      body: request.body,
      // Node's fetch requires this for a streamed request body.
      duplex: "half",
      redirect: "manual",
    } as RequestInit);
  };
}
