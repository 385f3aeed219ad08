import { randomBytes } from "node:crypto";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { S3Event, S3EventRecord } from "aws-lambda";

export type ObjectCreatedListener = (event: S3Event) => void;

/**
 * A key as S3 writes it into event records: URL-encoded form-style, a space as `+`, the `/` between
 * segments kept. A handler decodes it with `decodeURIComponent(key.replace(/\+/g, " "))`.
 */
export function encodeS3EventKey(key: string): string {
  return key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, "+"))
    .join("/");
}

/**
 * An s3rver record made real-shaped: s3rver leaves the key unencoded, writes the bucket ARN with spaces
 * (`arn:aws:s3: : :bucket`), names a completed multipart upload `ObjectCreated:Post` and gives a copy no
 * ETag. (A browser-form POST, which S3 does call `ObjectCreated:Post`, is not told apart: tests do not use it.)
 */
export async function normaliseS3rverRecord(client: S3Client, record: S3EventRecord): Promise<S3EventRecord> {
  const { bucket, object } = record.s3;
  let { eTag, size } = object;
  if (!eTag || !Number.isFinite(size)) {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: object.key }));
    eTag = unquote(head.ETag ?? "");
    size = head.ContentLength ?? 0;
  }
  const eventName =
    record.eventName === "ObjectCreated:Post" ? "ObjectCreated:CompleteMultipartUpload" : record.eventName;
  return {
    ...record,
    eventVersion: "2.1",
    eventName,
    s3: {
      ...record.s3,
      bucket: { ...bucket, arn: `arn:aws:s3:::${bucket.name}` },
      object: { key: encodeS3EventKey(object.key), size, eTag, sequencer: object.sequencer },
    },
  };
}

/** What S3 would send for an object just written: built from a HeadObject of it. */
export async function objectCreatedRecord(
  client: S3Client,
  eventName: string,
  location: { bucket: string; key: string; versionId?: string },
): Promise<S3EventRecord> {
  const head = await client.send(
    new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: location.versionId }),
  );
  const versionId = head.VersionId ?? location.versionId;
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: new Date().toISOString(),
    eventName,
    userIdentity: { principalId: "AWS:STANDIN" },
    requestParameters: { sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-request-id": hex(8), "x-amz-id-2": hex(32) },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "stand-in",
      bucket: {
        name: location.bucket,
        ownerIdentity: { principalId: "STANDIN" },
        arn: `arn:aws:s3:::${location.bucket}`,
      },
      object: {
        key: encodeS3EventKey(location.key),
        size: head.ContentLength ?? 0,
        eTag: unquote(head.ETag ?? ""),
        ...(versionId !== undefined && versionId !== "null" && { versionId }),
        sequencer: Date.now().toString(16).toUpperCase().padStart(18, "0"),
      },
    },
  };
}

function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex").toUpperCase();
}
