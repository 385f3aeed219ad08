import { describe, expect, it } from "vitest";
import { binaryTest, resultBody } from "./response-body.js";

const headers = (contentType?: string, extra: Record<string, string> = {}) =>
  new Headers(contentType === undefined ? extra : { "content-type": contentType, ...extra });

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
    "",
  ])("sends %j base64-encoded", (type) => {
    expect(isBinary(headers(type))).toBe(true);
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
  it("cancels the body of a HEAD response instead of reading it", async () => {
    let cancelled = false;
    const body = new ReadableStream({
      cancel() {
        cancelled = true;
      },
    });

    const result = await resultBody(new Response(body), "HEAD", binaryTest());

    expect(result).toEqual({ body: "", isBase64Encoded: false });
    expect(cancelled).toBe(true);
  });
});
