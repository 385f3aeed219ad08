import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { HttpHeaders, HttpRequest } from "@anycloud/core";

/** A name and port fit to build a URL from; anything else (a path, a user, spaces) could move the path. */
const HOST = /^(?:[\w-]+(?:\.[\w-]+)*|\[[\dA-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Core's view of a node:http request, built without a fetch `Request`: the headers are node's own object,
 * and the body is the message itself, read as it arrives.
 *
 * Reading stops early when core refuses a body (over its limit, wrong type): the iterator is returned without
 * destroying the message, since destroying an unfinished message destroys the socket before the refusal is
 * written. The server then closes the connection after its answer instead of reusing it.
 */
export function httpRequestOf(message: IncomingMessage): HttpRequest {
  const method = message.method ?? "GET";
  const target = message.url ?? "/";
  // Origin-form targets (`/todos?limit=2`) are the norm; an absolute-form one is a URL already.
  const host =
    message.headers.host !== undefined && HOST.test(message.headers.host)
      ? message.headers.host
      : "localhost";
  const url = target.startsWith("/") ? `http://${host}${target}` : target;
  const hasBody = method !== "GET" && method !== "HEAD";
  return {
    method,
    url,
    headers: new NodeHeaders(message.headers),
    body: hasBody ? message.iterator({ destroyOnReturn: false }) : null,
  };
}

/** node's header object behind fetch's lookup rules; node already joins repeated values (`cookie` with `; `). */
class NodeHeaders implements HttpHeaders {
  constructor(private readonly headers: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === "string" ? value : value.join(", ");
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const name in this.headers) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
}
