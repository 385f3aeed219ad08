import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
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
const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../apps/aws");
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

  // S3's consistency model: a GET concurrent with a PUT to its key gets the old data or the new, never partial
  // or corrupt data. s3rver wrote over the file a GET was reading: the GET was cut short ("aborted").
  it("serves a GET begun before its object is overwritten whole, with the object it began with", async () => {
    const key = "overwritten while read.csv";
    const first = Buffer.alloc(8 * 1024 * 1024, "a");
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: first }));
    const reading = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    // On Node the SDK's body is a Readable stream.
    const chunks = (reading.Body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const firstChunk = await chunks.next();

    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(1024, "b") }));
    const read = [firstChunk.value!];
    for (let chunk = await chunks.next(); !chunk.done; chunk = await chunks.next()) read.push(chunk.value);

    expect(Buffer.concat(read).equals(first)).toBe(true);
    const now = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await now.Body?.transformToString()).toBe("b".repeat(1024));
  });

  // The local loop exits so on a second Ctrl-C: its uploads were left in /tmp, one folder a run.
  it("removes its folder when the process exits without stopping it", () => {
    const temp = mkdtempSync(path.join(tmpdir(), "anycloud-s3rver-exit-test-"));
    try {
      const script = [
        'import { startS3rver } from "@anycloud/aws/local";',
        "await startS3rver(() => {}, { port: 0 });",
        "process.exit(1);",
      ].join("\n");

      const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: APP,
        env: { ...process.env, TMPDIR: temp },
        encoding: "utf8",
      });

      expect(child.status, child.stderr).toBe(1);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });

  // A Ctrl-C on a test run ends its workers by the signal's default action, which runs no 'exit' handler: each
  // left its s3rver's folder in /tmp.
  it("removes its folder when the process dies of a signal", async () => {
    const temp = mkdtempSync(path.join(tmpdir(), "anycloud-s3rver-signal-test-"));
    const script = [
      'import { startS3rver } from "@anycloud/aws/local";',
      "const s3rver = await startS3rver(() => {}, { port: 0 });",
      "console.log(s3rver.endpoint);",
    ].join("\n");
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: APP,
      env: { ...process.env, TMPDIR: temp },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await once(createInterface({ input: child.stdout! }), "line");
      expect(readdirSync(temp)).toHaveLength(1);

      child.kill("SIGINT");
      const [code, signal] = await once(child, "exit");
      expect({ code, signal }).toEqual({ code: null, signal: "SIGINT" });
      // The watchdog removes the folder as soon as its pipe ends; 20 s is only a hang guard.
      for (const deadline = Date.now() + 20_000; readdirSync(temp).length > 0 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
