import { startS3rver } from "@anycloud/aws/local";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The local loop's s3rver, where it answers otherwise than S3 would.

const BUCKET = "anycloud-local-s3rver-test";
const events: S3Event["Records"] = [];
let s3rver: Awaited<ReturnType<typeof startS3rver>>;
let s3: S3Client;

beforeAll(async () => {
  s3rver = await startS3rver((event) => events.push(...event.Records), { port: 0 });
  s3 = new S3Client({
    endpoint: s3rver.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await s3rver?.stop();
});

describe("the local loop's s3rver", () => {
  it.each(["todos+1.csv", "a&b=c, d;e:f@g$h.csv", "spaces and été/in a folder.csv", "100%.csv"])(
    "copies an object whose key is %s, as the AWS CLI's `aws s3 cp s3://... s3://...` does",
    async (key) => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "task\nfrom the copy\n" }));

      // The copy source is URL-encoded, as S3 wants it (and the CLI sends it).
      const copySource = `${BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}`;
      await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: `copied/${key}`, CopySource: copySource }));

      const copy = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `copied/${key}` }));
      expect(await copy.Body?.transformToString()).toBe("task\nfrom the copy\n");
      expect(events.at(-1)).toMatchObject({
        eventName: "ObjectCreated:Copy",
        s3: { object: { key: `copied/${key}` } },
      });
    },
  );
});
