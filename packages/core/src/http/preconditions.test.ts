import { describe, expect, it } from "vitest";
import { InvalidParameterError } from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";
import { versionPreconditionsFrom } from "./preconditions.js";

const requestWith = (headers: Record<string, string>): HttpRequest => ({
  method: "PATCH",
  url: "http://localhost/todos/1",
  headers: new Headers(headers),
  body: null,
});

describe("versionPreconditionsFrom", () => {
  it("reads a tag as a version only when it is written as the ETag writes one: no sign, point, exponent or leading zero", () => {
    const lookalikes = '"01", "+1", "1.0", "1.", "1e0", "1x", "12345678901234567"';

    const preconditions = versionPreconditionsFrom(
      requestWith({ "if-match": lookalikes, "if-none-match": lookalikes }),
    );

    // None names version 1 (or any other): If-Match cannot hold, If-None-Match refuses nothing.
    expect(preconditions).toEqual({ acceptedVersions: [], refusedVersions: [] });
  });

  it("reads versions of up to 16 digits", () => {
    const preconditions = versionPreconditionsFrom(requestWith({ "if-match": '"10", "1234567890123456"' }));

    expect(preconditions).toEqual({ acceptedVersions: [10, 1234567890123456] });
  });

  it("reads a tag past 2^53 - 1 as no version, rather than as the version it would round to", () => {
    const tags = '"9007199254740991", "9007199254740993"';

    const preconditions = versionPreconditionsFrom(requestWith({ "if-match": tags, "if-none-match": tags }));

    expect(preconditions).toEqual({
      acceptedVersions: [9007199254740991],
      refusedVersions: [9007199254740991],
    });
  });

  it("with ignoreMalformed, reads a malformed header as absent and still reads the other", () => {
    const read = (headers: Record<string, string>) =>
      versionPreconditionsFrom(requestWith(headers), { ignoreMalformed: true });

    expect(read({ "if-match": '"2"', "if-none-match": "1" })).toEqual({ acceptedVersions: [2] });
    expect(read({ "if-match": "1", "if-none-match": '"1"' })).toEqual({ refusedVersions: [1] });
  });

  it("accepts the empty elements a list may hold (RFC 9110 §5.6.1)", () => {
    const preconditions = versionPreconditionsFrom(
      requestWith({ "if-match": ', "1",, "2"', "if-none-match": ' ,W/"3"' }),
    );

    expect(preconditions).toEqual({ acceptedVersions: [1, 2], refusedVersions: [3] });
  });

  it.each([
    ["if-match", "If-Match"],
    ["if-none-match", "If-None-Match"],
  ])("refuses a malformed %s with an error that names the header", (header, name) => {
    expect(() => versionPreconditionsFrom(requestWith({ [header]: "1" }))).toThrow(
      expect.objectContaining({
        constructor: InvalidParameterError,
        parameter: name,
        message: `${name} must be "*" or entity tags such as "3".`,
      }),
    );
  });
});
