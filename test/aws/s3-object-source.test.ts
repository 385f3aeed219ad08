import { createHash, randomBytes } from "node:crypto";
import { S3ObjectSource } from "@anycloud/adapters-aws/storage";
import { ObjectNotFoundError } from "@anycloud/core";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import type { S3EventRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadInParts } from "../support/aws/multipart-upload.js";
import { type S3StandIn, startS3 } from "../support/aws/s3-stand-in.js";

const CSV = "task,name,dueDate,checked\nFeed the cat,Ada,2030-01-02,false\n";

describe("S3ObjectSource", () => {
  let standIn: S3StandIn;
  let objects: S3ObjectSource;
  const bucket = `anycloud-objects-${randomBytes(4).toString("hex")}`;
  const keys: string[] = [];

  beforeAll(async () => {
    standIn = await startS3();
    objects = new S3ObjectSource(standIn.client);
    await standIn.client.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(async () => {
    if (!standIn) return;
    for (const key of new Set(keys))
      await standIn.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await standIn.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    await standIn.stop();
  });

  /** Puts an object; returns its ETag as the S3 trigger would find it in the event (no quotes). */
  async function put(key: string, body: string | Uint8Array, contentType = "text/csv"): Promise<string> {
    keys.push(key);
    const output = await standIn.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
    return output.ETag!.replace(/"/g, "");
  }

  it("streams the bytes of the object version an ETag names, and says what it served", async () => {
    const eTag = await put("pinned.csv", CSV);

    const opened = await objects.open({ container: bucket, key: "pinned.csv", version: eTag });

    expect(await text(opened.body)).toBe(CSV);
    expect(opened).toMatchObject({ size: Buffer.byteLength(CSV), contentType: "text/csv" });
    // Unversioned (s3rver, a bucket without versioning): the ETag is the version served.
    expect(opened.version).toBe(eTag);
  });

  it("accepts the ETag with the quotes S3 puts around it in headers", async () => {
    const eTag = await put("quoted.csv", CSV);

    const opened = await objects.open({ container: bucket, key: "quoted.csv", version: `"${eTag}"` });

    expect(await text(opened.body)).toBe(CSV);
  });

  it("opens the current object when the ref pins no version, and names the version it served", async () => {
    const eTag = await put("unpinned.csv", CSV);

    const opened = await objects.open({ container: bucket, key: "unpinned.csv" });

    expect(await text(opened.body)).toBe(CSV);
    // Unquoted, as the S3 trigger finds an ETag in the event, so both paths name an import alike.
    expect(opened.version).toBe(eTag);
  });

  it("throws ObjectNotFoundError when the object was replaced since its ETag was taken", async () => {
    const before = await put("replaced.csv", CSV);
    await put("replaced.csv", `${CSV}Water the plants,Grace,,true\n`);
    const ref = { container: bucket, key: "replaced.csv", version: before };

    const error = await objects.open(ref).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ObjectNotFoundError);
    expect(error).toMatchObject({ code: "OBJECT_NOT_FOUND", ref });
    // The read was refused by If-Match (412), not served and compared afterwards.
    expect((error as Error).cause).toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });

  it.each([
    ["a key that does not exist", () => ({ container: bucket, key: "missing.csv" })],
    [
      "a key that does not exist, with an ETag",
      () => ({ container: bucket, key: "missing.csv", version: "0".repeat(32) }),
    ],
    ["a bucket that does not exist", () => ({ container: `${bucket}-missing`, key: "todos.csv" })],
  ])("throws ObjectNotFoundError for %s", async (_, ref) => {
    const attempt = objects.open(ref());

    await expect(attempt).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it("streams a 5 MB object in many chunks, never holding it whole", async () => {
    const bytes = randomBytes(5 * 1024 * 1024);
    const eTag = await put("large.csv", bytes, "application/octet-stream");

    const opened = await objects.open({ container: bucket, key: "large.csv", version: eTag });
    const hash = createHash("sha256");
    let chunks = 0;
    let largest = 0;
    for await (const chunk of opened.body) {
      hash.update(chunk);
      chunks += 1;
      largest = Math.max(largest, chunk.byteLength);
    }

    expect(opened.size).toBe(bytes.length);
    expect(hash.digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(chunks).toBeGreaterThan(10);
    expect(largest).toBeLessThanOrEqual(1024 * 1024);
  });

  it("opens a key with spaces and non-ASCII characters by what its object-created event says", async () => {
    const key = "imports/2030 janvier/tâches été 📋 (1)+a.csv";
    const event = nextObjectCreated(standIn, (record) => record.s3.bucket.name === bucket);
    await put(key, CSV);
    const record = await event;

    // As S3 sends it: URL-encoded, a space as "+", decoded by the trigger as the platform facts say.
    const decoded = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const opened = await objects.open({
      container: record.s3.bucket.name,
      key: decoded,
      version: record.s3.object.versionId ?? record.s3.object.eTag,
    });

    expect(record).toMatchObject({ eventSource: "aws:s3", eventName: "ObjectCreated:Put" });
    expect(record.s3.bucket.arn).toBe(`arn:aws:s3:::${bucket}`);
    expect(record.s3.object.key).toBe(
      "imports/2030+janvier/t%C3%A2ches+%C3%A9t%C3%A9+%F0%9F%93%8B+(1)%2Ba.csv",
    );
    expect(record.s3.object.eTag).toMatch(/^[0-9a-f]{32}$/);
    expect(decoded).toBe(key);
    expect(await text(opened.body)).toBe(CSV);
  });

  it("names a completed multipart upload as S3 does, and opens it by the ETag in the event", async () => {
    const key = "multipart.csv";
    keys.push(key);
    const parts = [randomBytes(5 * 1024 * 1024), Buffer.from(CSV)];
    const event = nextObjectCreated(standIn, (record) => record.s3.object.key === key);

    await uploadInParts(standIn.client, { Bucket: bucket, Key: key }, parts);
    const record = await event;
    const opened = await objects.open({ container: bucket, key, version: record.s3.object.eTag });

    expect(record.eventName).toBe("ObjectCreated:CompleteMultipartUpload");
    expect(record.s3.object.size).toBe(parts[0]!.length + parts[1]!.length);
    expect((await bytesOf(opened.body)).equals(Buffer.concat(parts))).toBe(true);

    // s3rver names a multipart upload by a plain MD5, S3 by `<md5>-<parts>`: an ETag of that form pins the read
    // too (If-Match), and a stale one opens nothing. Sent as a version id, which S3 refuses and s3rver ignores,
    // it would have opened the object here.
    const stale = await objects
      .open({ container: bucket, key, version: `${"0".repeat(32)}-${parts.length}` })
      .catch((caught: unknown) => caught);
    expect(stale).toBeInstanceOf(ObjectNotFoundError);
    expect((stale as Error).cause).toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });

  it("pins a read to a version id in a versioned bucket", async ({ skip }) => {
    if (standIn.kind === "s3rver") skip("s3rver keeps no object versions");
    const versioned = `${bucket}-versioned`;
    await standIn.client.send(new CreateBucketCommand({ Bucket: versioned }));
    await standIn.client.send(
      new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const first = await standIn.client.send(
      new PutObjectCommand({ Bucket: versioned, Key: "todos.csv", Body: CSV }),
    );
    const second = await standIn.client.send(
      new PutObjectCommand({ Bucket: versioned, Key: "todos.csv", Body: "task\nnewer\n" }),
    );

    try {
      const opened = await objects.open({
        container: versioned,
        key: "todos.csv",
        version: first.VersionId!,
      });

      expect(await text(opened.body)).toBe(CSV);
      expect(opened.version).toBe(first.VersionId);
    } finally {
      for (const { VersionId } of [first, second]) {
        await standIn.client.send(
          new DeleteObjectCommand({ Bucket: versioned, Key: "todos.csv", VersionId }),
        );
      }
      await standIn.client.send(new DeleteBucketCommand({ Bucket: versioned }));
    }
  });
});

/** The next object-created record that `matches`, as the S3 trigger would receive it. */
function nextObjectCreated(
  standIn: S3StandIn,
  matches: (record: S3EventRecord) => boolean,
): Promise<S3EventRecord> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error("No object-created event arrived."));
    }, 10_000);
    const unsubscribe = standIn.onObjectCreated((event) => {
      const record = event.Records.find(matches);
      if (!record) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(record);
    });
  });
}

async function bytesOf(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  return (await bytesOf(body)).toString("utf8");
}
