import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { pinOf, S3ObjectSource } from "./s3-object-source.js";

describe("pinOf", () => {
  it.each([
    ["an ETag", "d41d8cd98f00b204e9800998ecf8427e"],
    ["an ETag in quotes", '"d41d8cd98f00b204e9800998ecf8427e"'],
    ["an upper-case ETag", "D41D8CD98F00B204E9800998ECF8427E"],
    ["a multipart ETag", "9b2cf535f27731c974343645a3985328-3"],
    ["a quoted multipart ETag", '"9b2cf535f27731c974343645a3985328-10000"'],
  ])("sends %s as If-Match, quoted", (_, version) => {
    const etag = version.replace(/"/g, "");

    expect(pinOf(version)).toEqual({ IfMatch: `"${etag}"` });
  });

  it.each([
    ["a version id", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"],
    ["the null version of an object written before versioning", "null"],
    ["hex of the wrong length", "d41d8cd98f00b204e9800998ecf8427"],
  ])("sends %s as VersionId", (_, version) => {
    expect(pinOf(version)).toEqual({ VersionId: version });
  });

  it("pins nothing without a version", () => {
    expect(pinOf(undefined)).toEqual({});
  });
});

describe("S3ObjectSource.open", () => {
  /** A client whose GetObject answers these headers and a small body. */
  const answering = (output: { VersionId?: string; ETag?: string }) =>
    ({
      send: async () => ({ ...output, Body: (async function* () {})(), ContentLength: 0 }),
    }) as unknown as S3Client;

  it("names what it served by the version id of a versioned object", async () => {
    const objects = new S3ObjectSource(
      answering({ VersionId: "3HL4kqtJlcpX", ETag: '"d41d8cd98f00b204e9800998ecf8427e"' }),
    );

    const opened = await objects.open({ container: "uploads", key: "todos.csv" });

    expect(opened.version).toBe("3HL4kqtJlcpX");
  });

  it('names it by its ETag when the version id is "null" (versioning off or suspended when it was written)', async () => {
    const objects = new S3ObjectSource(
      answering({ VersionId: "null", ETag: '"d41d8cd98f00b204e9800998ecf8427e"' }),
    );

    const opened = await objects.open({ container: "uploads", key: "todos.csv" });

    expect(opened.version).toBe("d41d8cd98f00b204e9800998ecf8427e");
  });
});
