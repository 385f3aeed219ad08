import { MalformedRequestError, MethodNotAllowedError, RouteNotFoundError } from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";
import type { Reply } from "./responses.js";

export interface RouteContext {
  request: HttpRequest;
  url: URL;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
  requestId: string;
}

export type RouteHandler = (context: RouteContext) => Promise<Reply> | Reply;

interface Route {
  segments: string[];
  /** By method. A Map, not an object: a method named `constructor` or `__proto__` must find nothing. */
  handlers: Map<string, RouteHandler>;
}

/**
 * A table of routes such as `/todos/{id}`, matched segment by segment in the order they were added, so
 * `/todos/import` added before `/todos/{id}` wins. A hand-written table of a dozen routes costs nothing at
 * cold start and makes 404 vs 405 (with `Allow`) exact, which is most of what a router library would add.
 */
export class Router {
  private readonly routes: Route[] = [];

  on(methods: string | string[], pattern: string, handler: RouteHandler): this {
    const segments = pattern.split("/").filter(Boolean);
    let route = this.routes.find((candidate) => candidate.segments.join("/") === segments.join("/"));
    if (!route) {
      route = { segments, handlers: new Map() };
      this.routes.push(route);
    }
    for (const method of [methods].flat()) route.handlers.set(method, handler);
    return this;
  }

  /**
   * Finds the handler, or throws `RouteNotFoundError` / `MethodNotAllowedError`, or `MalformedRequestError`
   * for a parameter that is not valid percent-encoding (once the route and method are known, so that a
   * method the route does not take is still 405). HEAD runs GET's handler.
   */
  resolve(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } {
    const match = this.routeAt(path);
    if (!match) throw new RouteNotFoundError(path);
    const { route, raw } = match;
    const handler = route.handlers.get(method) ?? (method === "HEAD" ? route.handlers.get("GET") : undefined);
    if (!handler) throw new MethodNotAllowedError(allowedMethods(route));
    return { handler, params: decodeParams(raw) };
  }

  /** The methods of the route at `path`, as a 405's `Allow` lists them; undefined when no route matches. */
  methodsAt(path: string): readonly string[] | undefined {
    const match = this.routeAt(path);
    return match && allowedMethods(match.route);
  }

  /** The first route whose segments fit `path`, with its parameters as sent. */
  private routeAt(path: string): { route: Route; raw: Record<string, string> } | undefined {
    const parts = path.split("/").filter(Boolean);
    for (const route of this.routes) {
      const raw = matchSegments(route.segments, parts);
      if (raw) return { route, raw };
    }
    return undefined;
  }
}

/** The route's parameters as sent (still percent-encoded), when `parts` fit its segments. */
function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index]!;
    const actual = parts[index]!;
    if (expected.startsWith("{") && expected.endsWith("}")) params[expected.slice(1, -1)] = actual;
    else if (expected !== actual && expected !== withUnreservedDecoded(actual)) return undefined;
  }
  return params;
}

/**
 * `segment` with its percent-encoded unreserved characters (letters, digits, `-`, `.`, `_`, `~`) decoded: RFC 3986
 * §6.2.2.2 makes `/t%6Fdos` the same path as `/todos`, as a client or proxy that encodes more than it must sends it.
 */
function withUnreservedDecoded(segment: string): string {
  if (!segment.includes("%")) return segment;
  return segment.replace(/%([\dA-Fa-f]{2})/g, (escaped, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : escaped;
  });
}

const UNRESERVED = /^[A-Za-z\d\-._~]$/;

function decodeParams(raw: Record<string, string>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      params[name] = decodeURIComponent(value);
    } catch (error) {
      throw new MalformedRequestError(`The path's ${name} is not valid percent-encoding.`, { cause: error });
    }
  }
  return params;
}

function allowedMethods(route: Route): string[] {
  const methods = [...route.handlers.keys()];
  if (methods.includes("GET")) methods.push("HEAD");
  return methods;
}
