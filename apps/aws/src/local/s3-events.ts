import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { S3EventRecord } from "aws-lambda";

/**
 * A key as S3 writes it into event records: URL-encoded form-style, a space as `+`, the `/` between
 * segments kept. A handler decodes it with `decodedS3Key` (@anycloud/adapters-aws/triggers).
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
 * ETag (read here with a HeadObject through `client`). A browser-form POST, which S3 does call
 * `ObjectCreated:Post`, is not told apart.
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

function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}
