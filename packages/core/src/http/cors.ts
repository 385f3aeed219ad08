import type { HttpRequest } from "./http-request.js";
import type { Reply } from "./responses.js";

/**
 * Which web pages may call the API from another origin (CORS, Fetch standard §3.2). Off when absent or empty:
 * then no answer carries a CORS header, and a preflight is answered as any OPTIONS is (405 with `Allow`).
 */
export interface CorsOptions {
  /**
   * Serialized origins, exactly as browsers send them in `Origin` (`https://app.example.com`,
   * `http://localhost:5173`: lower-case scheme and host, no default port, no path), or `"*"` for any origin.
   */
  readonly origins: readonly string[];
}

/**
 * The request headers the API reads that a page would send outside the CORS-safelisted ones (`content-type`
 * is safelisted only for form and text types, not `application/json` or `text/csv`). Listed rather than `*`:
 * a preflight asking for another header (`authorization`) is refused by the browser instead of the API
 * ignoring it silently, and `*` is a literal name, not a wildcard, for a request with credentials.
 * `content-encoding` is one (a page may set it: it is no forbidden header): without it, a page's compressed body
 * fails its preflight, and the page never reads the 415 whose `Accept-Encoding` says to send it as it is.
 */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  "content-type",
  "content-encoding",
  "if-match",
  "if-none-match",
  "idempotency-key",
  "x-request-id",
];

/**
 * The response headers the API sends that a page's script may read beyond the CORS-safelisted ones
 * (`cache-control`, `content-type`, `content-length`...): `location` and `etag` of a created or read todo,
 * `link` to the next page of the workshop's list, `allow` of a 405, `accept-encoding` of a 415 for a compressed
 * body, `accept-patch` of a 415 for a patch in another format, `retry-after` of a 503 SERVER_BUSY, and the request's
 * id.
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  "location",
  "etag",
  "link",
  "allow",
  "accept-encoding",
  "accept-patch",
  "retry-after",
  "x-request-id",
];

/**
 * How long a browser may keep a preflight's answer: two hours, the most Chromium honours (Firefox caps at a
 * day; without the header, 5 s, and a page sending PATCHes would send a preflight before nearly every one).
 * What it caches is the route's methods and the headers above, which change only with a new release of the API;
 * an origin taken off the list can still send requests until it expires, but reads no answer from then on
 * (`access-control-allow-origin` is checked on every answer).
 */
export const CORS_MAX_AGE_SECONDS = 7200;

const ANY_ORIGIN = "*";

/**
 * Whether `value` is an origin as a browser serializes it in `Origin`: `http` or `https`, host in lower case
 * (IDNs in punycode), no default port, nothing after the port. Any other spelling of an allowed origin would
 * never match, since origins are compared as sent. Nor is a host with a `*` one: it reads as a pattern
 * (`https://*.example.com`), which no browser sends and core does not match by (API Gateway takes `https://*`
 * as every https page: one list must mean the same on both).
 */
export function isSerializedOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.origin === value &&
    !url.hostname.includes("*")
  );
}

/**
 * The origins of a setting written as one string: origins separated by commas (blanks around them ignored), or
 * `*`; none leaves CORS off. Throws a RangeError naming the setting (`name`) for `*` among origins, or for an
 * origin no browser sends, with the spelling browsers send where there is one. (apps/aws/scripts/cors-origins.cjs
 * holds a copy, for serverless.yml, which cannot load core; a test holds the two together.)
 */
export function corsOriginsFrom(value: string | undefined, name: string): string[] {
  const origins = (value ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  if (origins.includes(ANY_ORIGIN) && origins.length > 1) {
    throw new RangeError(`${name} must be * alone (any origin) or a list of origins, not "${value}".`);
  }
  for (const origin of origins) {
    if (origin === ANY_ORIGIN || isSerializedOrigin(origin)) continue;
    // Browsers send an origin serialized (lower case, no default port, no path): any other spelling never matches.
    const meant = URL.canParse(origin) ? new URL(origin).origin : "null";
    const hint = origin.includes("*")
      ? " (a pattern: list each origin, or give * alone for any)"
      : meant.startsWith("http")
        ? ` (did you mean ${meant}?)`
        : "";
    throw new RangeError(
      `${name} must list origins as browsers send them, scheme://host[:port] with no path or trailing ` +
        `slash, or be *: "${origin}" is not one${hint}.`,
    );
  }
  return origins;
}

/** CORS as `options` configure it, for `serveRoutes`. */
export class CorsPolicy {
  private constructor(
    private readonly anyOrigin: boolean,
    private readonly origins: ReadonlySet<string>,
  ) {}

  /**
   * The policy for `options`, or undefined when CORS is off (no options, or no origins). Throws a RangeError
   * for an entry that is neither `*` nor a serialized origin (`https://app.example.com/`, `null`).
   */
  static of(options: CorsOptions | undefined): CorsPolicy | undefined {
    const origins = options?.origins ?? [];
    if (origins.length === 0) return undefined;
    for (const origin of origins) {
      if (origin !== ANY_ORIGIN && !isSerializedOrigin(origin)) {
        throw new RangeError(
          `CORS origin ${JSON.stringify(origin)} is not an origin as browsers send it (https://host[:port], ` +
            "lower case, no path), nor *.",
        );
      }
    }
    return new CorsPolicy(origins.includes(ANY_ORIGIN), new Set(origins));
  }

  /**
   * The answer to a preflight (OPTIONS with `Origin` and `Access-Control-Request-Method`) from an allowed origin
   * to a path with a route: 204, with the route's methods and the headers a page may send. Undefined for any
   * other request, which is served as usual: a preflight from another origin gets today's 405 (or 404 off the
   * routes) and no CORS header, so the browser refuses it.
   */
  preflight(request: HttpRequest, methodsAt: () => readonly string[] | undefined): Reply | undefined {
    if (request.method !== "OPTIONS" || request.headers.get("access-control-request-method") === null) {
      return undefined;
    }
    const allowOrigin = this.allowOriginFor(request.headers.get("origin"));
    const methods = allowOrigin === undefined ? undefined : methodsAt();
    if (methods === undefined) return undefined;
    return {
      status: 204,
      headers: {
        "access-control-allow-origin": allowOrigin!,
        "access-control-allow-methods": methods.join(", "),
        "access-control-allow-headers": CORS_ALLOWED_HEADERS.join(", "),
        "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
        ...this.vary(request),
      },
    };
  }

  /**
   * The CORS headers of any other answer to `request`, errors included: the origin allowed and the headers a
   * script may read, when the origin is allowed; and `vary` whenever the answer depends on a request header.
   * `existing` is the answer's own headers, whose `vary` is kept.
   */
  headersFor(
    request: HttpRequest,
    existing: Readonly<Record<string, string | readonly string[]>> = {},
  ): Record<string, string> {
    const headers: Record<string, string> = {};
    const allowOrigin = this.allowOriginFor(request.headers.get("origin"));
    if (allowOrigin !== undefined) {
      headers["access-control-allow-origin"] = allowOrigin;
      headers["access-control-expose-headers"] = CORS_EXPOSED_HEADERS.join(", ");
    }
    const { vary } = this.vary(request);
    if (vary !== undefined) {
      const own = existing.vary;
      headers.vary = typeof own === "string" && own !== "" ? `${own}, ${vary}` : vary;
    }
    return headers;
  }

  /**
   * `*` for any origin when so configured, whatever the request says: no credentials are involved (the API reads
   * no cookie or `authorization`, and never sends `access-control-allow-credentials`), so the wildcard is
   * honoured, and it is one answer for every caller. An opaque origin (`Origin: null`: sandboxed frames, `data:`
   * and `file:` pages) is then allowed too, as any other page: with `*` the API is open to every page anyway.
   * A list never matches `null`, which any page can send from a sandboxed frame of its own (MDN: "null should
   * not be used"), and `CorsPolicy.of` refuses it as an entry. Origins are compared exactly, as serialized.
   */
  private allowOriginFor(origin: string | null): string | undefined {
    if (this.anyOrigin) return ANY_ORIGIN;
    return origin !== null && this.origins.has(origin) ? origin : undefined;
  }

  /**
   * What the answer depends on, for caches (Fetch standard, "CORS protocol and HTTP caches"): `origin` with a
   * list, on every answer, allowed or not; nothing with `*`, which is the same for every origin. An OPTIONS is a
   * preflight or not by `access-control-request-method`.
   */
  private vary(request: HttpRequest): { vary?: string } {
    const names = this.anyOrigin ? [] : ["origin"];
    if (request.method === "OPTIONS") names.push("access-control-request-method");
    return names.length === 0 ? {} : { vary: names.join(", ") };
  }
}
