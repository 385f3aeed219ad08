import { createHash, randomUUID } from "node:crypto";
import { createWriteStream, rmSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Event } from "aws-lambda";
import { startCleanupWatchdog } from "./cleanup-watchdog.js";
import { type LocalServer, portToUse } from "./local-server.js";

const PRECONDITION_FAILED = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  "<Error><Code>PreconditionFailed</Code>",
  "<Message>At least one of the pre-conditions you specified did not hold</Message>",
  "<Condition>If-Match</Condition></Error>",
].join("");

/**
 * s3rver in-process on 127.0.0.1 (`port`, or a free one), storing in a temporary folder removed on stop (or
 * when this process exits).
 * s3rver ignores `If-Match` on GET and HEAD; a middleware answers 412 `PreconditionFailed` as S3 does, so
 * that reads pinned to an ETag behave as on AWS. `onEvent` receives s3rver's raw (not quite S3-shaped)
 * records: see `normaliseS3rverRecord`.
 *
 * Clients sign with the credentials `S3RVER` / `S3RVER`, use path-style addressing, and should set
 * `requestChecksumCalculation: "WHEN_REQUIRED"` (else a streamed PutObject is stored with its aws-chunked
 * framing). Run Node with `--openssl-legacy-provider`, or paginated listings answer 500.
 *
 * @example
 * const s3 = await startS3rver((event) => console.log(event.Records), { port: 4568 });
 */
export async function startS3rver(
  onEvent: (event: S3Event) => void,
  options: { port?: number } = {},
): Promise<LocalServer> {
  const port = await portToUse(options.port, "s3rver");
  const { default: S3rver } = await import("s3rver");
  // s3rver's buckets, and beside them (not in them, where a listing would show them) objects being written.
  const directory = await mkdtemp(join(tmpdir(), "anycloud-s3rver-"));
  const buckets = join(directory, "buckets");
  const partial = join(directory, "partial");
  // Removed on stop, or else when this process exits (a second Ctrl-C, a fatal error), or else by the watchdog
  // when it dies of a signal (a Ctrl-C on a test run, a CI timeout), which runs no 'exit' handler.
  const removeDirectory = () => rmSync(directory, { recursive: true, force: true });
  process.once("exit", removeDirectory);
  const watchdog = startCleanupWatchdog(directory);
  await mkdir(partial);
  const server = new S3rver({
    address: "127.0.0.1",
    port,
    silent: true,
    directory: buckets,
    resetOnClose: true,
  });
  writeObjectsWhole((server as unknown as { store: FilesystemStore }).store, partial);
  server.middleware.unshift(async (context, next) => {
    await next();
    const expected = context.get("if-match");
    if (!expected || !["GET", "HEAD"].includes(context.method) || context.status >= 300) return;
    if (etagMatches(expected, context.response.get("ETag"))) return;
    (context.body as { destroy?: () => void } | null)?.destroy?.();
    for (const header of ["ETag", "Last-Modified", "Accept-Ranges", "Content-Range"]) context.remove(header);
    context.status = 412;
    context.type = "application/xml";
    context.body = context.method === "HEAD" ? null : PRECONDITION_FAILED;
  });
  // s3rver decodes x-amz-copy-source with decodeURI, which leaves %2B, %26, %3D... as they are: a copy from a
  // key with + & = , ; : @ $ in it answered NoSuchKey. Decoded here, and encoded again for its decodeURI.
  server.middleware.unshift(async (context, next) => {
    const source = context.get("x-amz-copy-source");
    if (source) context.req.headers["x-amz-copy-source"] = forDecodeUri(source);
    await next();
  });
  server.on("event", onEvent);
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      // Idle keep-alive sockets of the SDK's agent would hold close() open.
      (server as unknown as { httpServer?: Server }).httpServer?.closeAllConnections();
      await server.close();
      process.off("exit", removeDirectory);
      await rm(directory, { recursive: true, force: true });
      watchdog.kill("SIGKILL");
    },
  };
}

/** s3rver's FilesystemStore, as far as `writeObjectsWhole` uses it. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

interface StoredObject {
  bucket: string;
  key: string;
  metadata: unknown;
  content: Buffer | NodeJS.ReadableStream;
}

/**
 * s3rver writes an object (a put, a multipart upload's completion) over its file in place: a GET streaming the
 * object then (an import reading it) was cut short, `aborted`, where S3 serves the object it began with. The
 * store's put now writes the object in `partial`, then renames it over the old file, which a GET under way
 * keeps reading. Its ETag is recorded first: a read pinned to the old one is refused, never given the new bytes.
 */
function writeObjectsWhole(store: FilesystemStore, partial: string): void {
  store.putObject = async ({ bucket, key, metadata, content }) => {
    const objectPath = store.getResourcePath(bucket, key, "object");
    await mkdir(dirname(objectPath), { recursive: true });
    const written = join(partial, randomUUID());
    const md5 = createHash("md5");
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
      await pipeline(source, measure, createWriteStream(written));
      const digest = md5.digest("hex");
      await store.putMetadata(bucket, key, metadata, digest);
      await rename(written, objectPath);
      return { size, md5: digest };
    } finally {
      await rm(written, { force: true });
    }
  };
}

/**
 * A copy source (`bucket/key`, the key URL-encoded, maybe `?versionId=`) that decodeURI reads as S3 does:
 * fully decoded, then encoded again with encodeURI, whose escapes decodeURI undoes. Left as it is when it is
 * not valid percent-encoding.
 */
function forDecodeUri(source: string): string {
  const question = source.indexOf("?");
  const path = question === -1 ? source : source.slice(0, question);
  try {
    return encodeURI(decodeURIComponent(path)) + (question === -1 ? "" : source.slice(question));
  } catch {
    return source;
  }
}

/** RFC 9110 If-Match: `*`, or a list of (strong) entity tags, one of which is the current one. */
function etagMatches(expected: string, actual: string): boolean {
  if (expected.trim() === "*") return actual !== "";
  const bare = (tag: string) => tag.trim().replace(/^"(.*)"$/, "$1");
  return expected.split(",").some((tag) => bare(tag) === bare(actual));
}
