import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientErrorOf, refusedByTheBridge } from "./bridge-refusals.js";

/** The parts of a request node has read that the bridge looks at. */
const message = (headers: IncomingHttpHeaders, httpVersion = "1.1") =>
  ({ headers, httpVersion }) as unknown as IncomingMessage;

describe("clientErrorOf", () => {
  it.each([
    ["ERR_HTTP_REQUEST_TIMEOUT", "REQUEST_TIMEOUT", "The request's headers did not arrive within 10 s."],
    ["HPE_HEADER_OVERFLOW", "HEADERS_TOO_LARGE", "The request's headers are too large."],
    ["HPE_CHUNK_EXTENSIONS_OVERFLOW", "MALFORMED_REQUEST", "The body's chunk extensions are too long."],
    ["HPE_INVALID_EOF_STATE", "REQUEST_ABORTED", undefined],
    ["HPE_INVALID_METHOD", "MALFORMED_REQUEST", "The request is not valid HTTP/1.1."],
    [undefined, "MALFORMED_REQUEST", "The request is not valid HTTP/1.1."],
  ])("answers node's %s with core's %s", (nodeCode, code, message) => {
    const error = clientErrorOf(nodeCode);

    expect(error.code).toBe(code);
    if (message !== undefined) expect(error.message).toBe(message);
  });
});

describe("refusedByTheBridge", () => {
  it.each([
    ["a host name", "example.com"],
    ["a host name and port", "example.com:8080"],
    ["an IPv4 address and port", "127.0.0.1:3000"],
    ["an IPv6 literal and port", "[::1]:3000"],
    ["a percent-escape", "ex%41mple.com"],
    ["an empty value", ""],
  ])("lets through a request whose Host is %s", (_, host) => {
    expect(refusedByTheBridge(message({ host }))).toBeUndefined();
  });

  it("refuses an HTTP/1.1 request without Host, and lets an HTTP/1.0 one without it through", () => {
    expect(refusedByTheBridge(message({}))).toMatchObject({
      code: "MALFORMED_REQUEST",
      message: "An HTTP/1.1 request must name its Host.",
    });
    expect(refusedByTheBridge(message({}, "1.0"))).toBeUndefined();
  });

  it.each([
    ["two Host lines, joined by node", "a.example, b.example"],
    ["a path", "example.com/x"],
    ["a user", "user@example.com"],
    ["a port that is no number", "example.com:http"],
    ["a broken percent-escape", "ex%4"],
    ["a percent-escape of no hex digits", "ex%zzmple.com"],
  ])("refuses a Host with %s, in HTTP/1.0 too", (_, host) => {
    for (const httpVersion of ["1.1", "1.0"]) {
      expect(refusedByTheBridge(message({ host }, httpVersion))).toMatchObject({
        code: "MALFORMED_REQUEST",
        message: "The Host header must be one host name or address, with an optional port.",
      });
    }
  });

  it.each(["chunked", "Chunked", " chunked "])("lets a body in Transfer-Encoding %j through", (coding) => {
    expect(refusedByTheBridge(message({ host: "example.com", "transfer-encoding": coding }))).toBeUndefined();
  });

  it.each(["gzip, chunked", "gzip"])("refuses a body in Transfer-Encoding %j with 501", (coding) => {
    expect(refusedByTheBridge(message({ host: "example.com", "transfer-encoding": coding }))).toMatchObject({
      code: "NOT_IMPLEMENTED",
      message: `A body in Transfer-Encoding "${coding}" is not read: send it chunked, or with a Content-Length.`,
    });
  });
});
