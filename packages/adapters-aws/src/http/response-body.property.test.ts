import { isUtf8 } from "node:buffer";
import type { Reply } from "@anycloud/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { binaryTest, proxyResultOf } from "./response-body.js";

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("application/json", "text/csv; charset=utf-8") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "application/problem+json",
      "TEXT/Plain;charset=UTF-8",
      'text/plain; charset="us-ascii"',
      "text/plain; charset=utf-16",
      "text/html; charset=iso-8859-1",
      "image/png",
      "application/octet-stream",
      "image/svg+xml",
      "",
      ";",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const headerName = fc.oneof(
  fc.constantFrom("content-encoding", "location", "link", "etag", "x-a"),
  fc.stringMatching(/^[a-z-]{1,10}$/),
);
const replyHeaders = fc
  .record({
    type: fc.option(contentType, { nil: undefined }),
    others: fc.dictionary(headerName, fc.string({ maxLength: 20 }), { maxKeys: 3 }),
    cookies: fc.option(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })), { nil: undefined }),
  })
  .map(({ type, others, cookies }) => {
    const headers: Record<string, string | string[]> = { ...others };
    if (type !== undefined) headers["content-type"] = type;
    if (cookies !== undefined) headers["set-cookie"] = cookies;
    return headers;
  });
// Text as bytes, a byte order mark first or not, whole or cut anywhere (through a character, too).
const textBytes = fc
  .tuple(fc.boolean(), fc.string({ unit: "grapheme" }), fc.option(fc.nat(), { nil: undefined }))
  .map(([bom, text, cut]) => {
    const bytes = Buffer.from(`${bom ? "\ufeff" : ""}${text}`, "utf8");
    return new Uint8Array(cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1)));
  });
const replyBody = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme" }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 4, arbitrary: textBytes },
);
const binaryMediaTypes = fc.array(fc.oneof(contentType, fc.constantFrom("*/*", "image/*", " Text/CSV ")), {
  maxLength: 2,
});

describe("the body and headers of a Lambda proxy result (property)", () => {
  it("carries the reply's bytes unchanged, as text only when they are text, and every header as a string", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        replyHeaders,
        replyBody,
        fc.constantFrom("GET", "HEAD", "POST"),
        binaryMediaTypes,
        (status, headers, body, method, listed) => {
          const reply: Reply = body === undefined ? { status, headers } : { status, headers, body };

          const { result, cookies } = proxyResultOf(reply, method, binaryTest(listed));

          const sent = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body ?? []);
          const received = Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
          expect(received.equals(method === "HEAD" ? Buffer.alloc(0) : sent)).toBe(true);
          // As text exactly when there is a body, its headers say text (binaryTest, tested on its own) and its
          // bytes are UTF-8; base64 otherwise, which carries any bytes unchanged.
          const asText = !binaryTest(listed)(headers) && isUtf8(sent);
          expect(result.isBase64Encoded).toBe(method !== "HEAD" && sent.length > 0 && !asText);
          if (headers["content-type"] === undefined && received.length > 0) {
            expect(result.isBase64Encoded).toBe(true);
          }
          expect(result.statusCode).toBe(status);
          expect(Object.keys(result.headers).sort()).toEqual(
            Object.keys(headers)
              .filter((name) => name !== "set-cookie")
              .sort(),
          );
          for (const value of Object.values(result.headers)) expect(typeof value).toBe("string");
          expect(cookies).toEqual([headers["set-cookie"] ?? []].flat());
        },
      ),
      propertyRuns(1000),
    );
  });
});
