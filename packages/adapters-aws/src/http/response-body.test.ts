import { describe, expect, it } from "vitest";
import { binaryTest, resultBody, setCookiesOf, singleValueHeaders } from "./response-body.js";

const headers = (contentType?: string, extra: Record<string, string> = {}) =>
  contentType === undefined ? extra : { "content-type": contentType, ...extra };

describe("binaryTest", () => {
  const isBinary = binaryTest(["application/vnd.ms-excel", "font/*"]);

  it.each([
    "text/plain",
    "text/csv; charset=UTF-8",
    "application/json",
    "Application/JSON; charset=utf-8",
    "application/problem+json",
    "application/merge-patch+json",
    "application/xml",
    "application/atom+xml",
    "image/svg+xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "TEXT/plain",
    " text/plain ; charset=utf-8",
    "text/plain; charset=utf8",
    "text/plain; charset=US-ASCII",
    "text/plain; format=flowed",
  ])("sends %s as text", (type) => {
    expect(isBinary(headers(type))).toBe(false);
  });

  it.each([
    "image/png",
    "application/octet-stream",
    "application/pdf",
    "application/vnd.ms-excel",
    "font/woff2",
    "text/plain; charset=windows-1252",
    "text/plain;charset=iso-8859-1",
    "text/plain; charset = iso-8859-1",
    "",
  ])("sends %j base64-encoded", (type) => {
    expect(isBinary(headers(type))).toBe(true);
  });

  it("sends a textual type base64-encoded when binaryMediaTypes lists it, or its type's wildcard, in any case", () => {
    expect(binaryTest([" Text/CSV "])(headers("text/csv"))).toBe(true);
    expect(binaryTest(["text/*"])(headers("text/csv"))).toBe(true);
    expect(binaryTest(["text/*"])(headers("application/json"))).toBe(false);
  });

  it("sends a compressed or untyped body base64-encoded", () => {
    expect(isBinary(headers("application/json", { "content-encoding": "br" }))).toBe(true);
    expect(isBinary(headers("application/json", { "content-encoding": "identity" }))).toBe(false);
    expect(isBinary(headers())).toBe(true);
  });

  it("sends everything base64-encoded when */* is listed", () => {
    expect(binaryTest(["*/*"])(headers("application/json"))).toBe(true);
  });
});

describe("resultBody", () => {
  const text = { "content-type": "text/plain" };

  it("sends no body for HEAD, whatever the reply holds", () => {
    expect(resultBody({ status: 200, headers: text, body: "x" }, "HEAD", binaryTest())).toEqual({
      body: "",
      isBase64Encoded: false,
    });
    expect(resultBody({ status: 200, body: Uint8Array.of(1, 2) }, "HEAD", binaryTest())).toEqual({
      body: "",
      isBase64Encoded: false,
    });
  });

  it("answers an absent or empty body as an empty string, not base64", () => {
    for (const body of [undefined, "", new Uint8Array()]) {
      expect(resultBody({ status: 204, body }, "GET", binaryTest())).toEqual({
        body: "",
        isBase64Encoded: false,
      });
    }
  });

  it("sends text as it is, and textual bytes decoded as UTF-8, byte order mark and all", () => {
    const bytes = new TextEncoder().encode("\uFEFFdía");

    expect(resultBody({ status: 200, headers: text, body: "día" }, "GET", binaryTest())).toEqual({
      body: "día",
      isBase64Encoded: false,
    });
    // A CSV export keeps the mark Excel needs to read it as UTF-8.
    expect(resultBody({ status: 200, headers: text, body: bytes }, "GET", binaryTest())).toEqual({
      body: "\uFEFFdía",
      isBase64Encoded: false,
    });
  });

  it("base64-encodes textual bytes that are not UTF-8, rather than change them", () => {
    const latin1 = Uint8Array.of(0x64, 0xed, 0x61); // "día" in Latin-1, labelled UTF-8

    expect(resultBody({ status: 200, headers: text, body: latin1 }, "GET", binaryTest())).toEqual({
      body: Buffer.from(latin1).toString("base64"),
      isBase64Encoded: true,
    });
  });

  it("base64-encodes a binary body, bytes or text, and only the bytes of a view", () => {
    const png = { "content-type": "image/png" };
    const view = new Uint8Array(Uint8Array.of(9, 0xff, 0x00, 0x10, 9).buffer, 1, 3);

    expect(resultBody({ status: 200, headers: png, body: view }, "GET", binaryTest())).toEqual({
      body: Buffer.from([0xff, 0x00, 0x10]).toString("base64"),
      isBase64Encoded: true,
    });
    expect(resultBody({ status: 200, headers: png, body: "día" }, "GET", binaryTest())).toEqual({
      body: Buffer.from("día").toString("base64"),
      isBase64Encoded: true,
    });
  });
});

describe("singleValueHeaders and setCookiesOf", () => {
  const headers = {
    "content-type": "text/plain",
    "set-cookie": ["a=1; Path=/", "b=2"],
  };

  it("keeps every header but set-cookie", () => {
    expect(singleValueHeaders(headers)).toEqual({ "content-type": "text/plain" });
    expect(singleValueHeaders(undefined)).toEqual({});
  });

  it("joins the values of any other header given as a list, and leaves its paths as they are", () => {
    expect(singleValueHeaders({ vary: ["accept", "origin"], location: "/todos/1" })).toEqual({
      vary: "accept, origin",
      location: "/todos/1",
    });
  });

  it("gives each set-cookie value apart, one or several", () => {
    expect(setCookiesOf(headers)).toEqual(["a=1; Path=/", "b=2"]);
    expect(setCookiesOf({ "set-cookie": "a=1" })).toEqual(["a=1"]);
    expect(setCookiesOf({})).toEqual([]);
  });
});

describe("singleValueHeaders with a path prefix", () => {
  it("puts the prefix in front of Location's, Content-Location's and Link's paths, and of no other header's", () => {
    expect(
      singleValueHeaders(
        {
          location: "/todos/1",
          "content-location": "/todos/1",
          link: '</todos?cursor=a>; rel="next"',
          "x-other": "</todos/1>",
        },
        "/prod",
      ),
    ).toEqual({
      location: "/prod/todos/1",
      "content-location": "/prod/todos/1",
      link: '</prod/todos?cursor=a>; rel="next"',
      "x-other": "</todos/1>",
    });
  });
});
