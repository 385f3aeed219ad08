// What the bridge answers for itself, and why: requests node could not read, and requests core must not see.
import type { IncomingMessage } from "node:http";
import {
  type AppError,
  HeadersTooLargeError,
  MalformedRequestError,
  NotImplementedError,
  RequestAbortedError,
  RequestTimeoutError,
} from "@anycloud/core";

/** How long a request's headers may take to arrive (node's `headersTimeout`). */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * What a request node could not read is answered: core's problem for node's reason (a header timeout 408,
 * headers too large 431), or 400 for anything else it could not parse, as node itself would answer.
 */
export function clientErrorOf(code: string | undefined): AppError {
  switch (code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new RequestTimeoutError(
        HEADERS_TIMEOUT_MS,
        `The request's headers did not arrive within ${HEADERS_TIMEOUT_MS / 1000} s.`,
      );
    case "HPE_HEADER_OVERFLOW":
      return new HeadersTooLargeError();
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new MalformedRequestError("The body's chunk extensions are too long.");
    // The connection ended inside a message: no one is left to read the answer, which is written all the same.
    case "HPE_INVALID_EOF_STATE":
      return new RequestAbortedError();
    default:
      return new MalformedRequestError("The request is not valid HTTP/1.1.");
  }
}

/**
 * What the bridge refuses before core sees the request: a missing, doubled or malformed Host (400), and a body
 * in a transfer coding other than chunked (501).
 */
export function refusedByTheBridge(message: IncomingMessage): AppError | undefined {
  // RFC 9112 §3.2: a request without Host (in HTTP/1.1), with two Host lines, or with a Host that is no
  // host and port is answered 400. Two lines arrive joined with ", ", which no host is.
  const host = message.headers.host;
  if (message.httpVersion === "1.1" && host === undefined) {
    return new MalformedRequestError("An HTTP/1.1 request must name its Host.");
  }
  if (host !== undefined && !HOST_FIELD.test(host)) {
    return new MalformedRequestError(
      "The Host header must be one host name or address, with an optional port.",
    );
  }
  return unsupportedTransferCoding(message);
}

/**
 * A Host field value (RFC 9112 §3.2): `uri-host [":" port]` in RFC 3986's terms — an IP literal in brackets,
 * or a reg-name (unreserved characters, sub-delims, percent-escapes; possibly empty) — and a port of digits.
 */
const HOST_FIELD = /^(?:\[[\w.:~!$&'()*+,;=-]+\]|(?:[\w.~!$&'()*+,;=-]|%[\dA-Fa-f]{2})*)(?::\d*)?$/;

/**
 * 501 for a body in a transfer coding other than chunked (`gzip, chunked`): node takes the chunks off and
 * leaves the rest, so core would read gzip bytes as CSV (RFC 9112 §6.1: a coding the server does not
 * understand is answered 501).
 */
function unsupportedTransferCoding(message: IncomingMessage): AppError | undefined {
  const coding = message.headers["transfer-encoding"];
  if (coding === undefined || coding.trim().toLowerCase() === "chunked") return undefined;
  return new NotImplementedError(
    `A body in Transfer-Encoding "${coding}" is not read: send it chunked, or with a Content-Length.`,
  );
}
