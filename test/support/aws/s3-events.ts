import { randomBytes } from "node:crypto";
import { encodeS3EventKey } from "@anycloud/aws/local";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { S3Event, S3EventRecord } from "aws-lambda";

// Encoding keys and normalising s3rver's records is shared with the local loop of apps/aws.
export { encodeS3EventKey, normaliseS3rverRecord } from "@anycloud/aws/local";

export type ObjectCreatedListener = (event: S3Event) => void;

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
