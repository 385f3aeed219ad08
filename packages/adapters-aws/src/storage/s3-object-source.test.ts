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
    ["a version id that ends like an ETag", "3HL4kqtJd41d8cd98f00b204e9800998ecf8427e"],
    ["a version id that begins like an ETag", "d41d8cd98f00b204e9800998ecf8427e3HL4kqtJ"],
  ])("sends %s as VersionId", (_, version) => {
    expect(pinOf(version)).toEqual({ VersionId: version });
  });

  it("pins nothing without a version", () => {
    // Strictly: not even a `VersionId: undefined`.
    expect(pinOf(undefined)).toStrictEqual({});
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

  it("names no version when S3 answers neither a version id nor an ETag", async () => {
    const objects = new S3ObjectSource(answering({}));

    const opened = await objects.open({ container: "uploads", key: "todos.csv" });

    expect(opened.version).toBeUndefined();
  });

  it("fails as the store when GetObject answers without a body", async () => {
    const objects = new S3ObjectSource({ send: async () => ({ ContentLength: 0 }) } as unknown as S3Client);

    await expect(objects.open({ container: "uploads", key: "todos.csv" })).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
      message: expect.stringMatching(/without a readable body/),
    });
  });
});

describe("S3ObjectSource.open, when the object is not there", () => {
  /** A client whose GetObject fails as S3 does: an error with S3's code as its name and the HTTP status. */
  const failing = (name: string, httpStatusCode: number) =>
    ({
      send: async () => {
        throw Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
      },
    }) as unknown as S3Client;
  const ref = { container: "uploads", key: "todos.csv" };

  it.each([
    ["NoSuchKey", 404, {}],
    ["NoSuchVersion", 404, { version: "3HL4kqtJlcpX" }],
    ["NoSuchBucket", 404, {}],
    // If-Match on the event's ETag failed: the object was replaced since.
    ["PreconditionFailed", 412, { version: "d41d8cd98f00b204e9800998ecf8427e" }],
    // An unversioned bucket calls any version id but "null" malformed: that version cannot exist there.
    ["InvalidArgument", 400, { version: "3HL4kqtJlcpX" }],
  ])("reads %s (%i) as ObjectNotFoundError", async (name, status, version) => {
    const objects = new S3ObjectSource(failing(name, status));

    await expect(objects.open({ ...ref, ...version })).rejects.toMatchObject({ code: "OBJECT_NOT_FOUND" });
  });

  it("reads an InvalidArgument about anything but a version id as a store failure, not a missing object", async () => {
    const objects = new S3ObjectSource(failing("InvalidArgument", 400));

    await expect(objects.open(ref)).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
  });

  it("reads access denied as a store failure: a missing permission is no missing object", async () => {
    const objects = new S3ObjectSource(failing("AccessDenied", 403));

    await expect(objects.open({ ...ref, version: "3HL4kqtJlcpX" })).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
    });
  });

  it("says that S3 refused the read, and why it may have, rather than that the store is unavailable", async () => {
    // A role without s3:ListBucket (the deployed one) gets this 403 for a version deleted since its event too.
    const objects = new S3ObjectSource(failing("AccessDenied", 403));

    const refused = await objects.open({ ...ref, version: "3HL4kqtJlcpX" }).catch((error: unknown) => error);

    expect(refused).toMatchObject({
      message: expect.stringMatching(
        /refused to read the object \(403\): it was deleted, or .* may not read it/,
      ),
      cause: { name: "AccessDenied" },
    });
  });

  it("says that an archived object (InvalidObjectState, 403) must be restored, not that it was deleted", async () => {
    const objects = new S3ObjectSource(failing("InvalidObjectState", 403));

    const refused = await objects.open(ref).catch((error: unknown) => error);

    expect(refused).toMatchObject({
      code: "STORE_UNAVAILABLE",
      message:
        "The object store refused to read the object (403): it is archived, and must be restored before it can be read.",
      cause: { name: "InvalidObjectState" },
    });
  });

  it("reads any other failure (S3 slowing down, 503) as the store being unavailable, with S3's error as cause", async () => {
    const objects = new S3ObjectSource(failing("SlowDown", 503));

    const failed = await objects.open(ref).catch((error: unknown) => error);

    expect(failed).toMatchObject({
      code: "STORE_UNAVAILABLE",
      message: "The object store is unavailable.",
      cause: { name: "SlowDown" },
    });
  });

  // `todo import s3://...` opens objects with this class too, with the user's credentials: no function there.
  it("blames the credentials in use, whatever runs it, not a function", async () => {
    const objects = new S3ObjectSource(failing("AccessDenied", 403));

    const refused = await objects.open(ref).catch((error: unknown) => error);

    expect((refused as Error).message).toBe(
      "The object store refused to read the object (403): it was deleted, or the credentials in use may not read it.",
    );
  });
});
