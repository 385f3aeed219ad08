import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Event } from "aws-lambda";
import { type LocalServer, portToUse } from "./local-server.js";

const PRECONDITION_FAILED = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  "<Error><Code>PreconditionFailed</Code>",
  "<Message>At least one of the pre-conditions you specified did not hold</Message>",
  "<Condition>If-Match</Condition></Error>",
].join("");

/**
 * s3rver in-process on 127.0.0.1 (`port`, or a free one), storing in a temporary folder removed on stop.
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
  const directory = await mkdtemp(join(tmpdir(), "anycloud-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory, resetOnClose: true });
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
      await rm(directory, { recursive: true, force: true });
    },
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
