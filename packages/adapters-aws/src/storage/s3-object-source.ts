import {
  ObjectNotFoundError,
  type ObjectRef,
  type ObjectSource,
  type OpenedObject,
  StoreUnavailableError,
} from "@anycloud/core";
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { errorName, httpStatusOf } from "./sdk-errors.js";

// An S3 ETag: an MD5 in hex, or for a multipart upload the MD5 of the parts' MD5s and "-<part count>".
// Quoted as S3 sends it in headers, unquoted as it sends it in event records.
const ETAG = /^"?([0-9a-f]{32}(?:-\d{1,5})?)"?$/i;

const NOT_FOUND = new Set(["NoSuchKey", "NoSuchVersion", "NoSuchBucket"]);

// What a 403 means here: the role may not read the object, or (without s3:ListBucket, which S3 needs to say
// 404) there is no such object or version any more. S3 does not tell the two apart. The credentials are a
// function's role on Lambda, the user's for `todo import s3://...`.
const ACCESS_DENIED =
  "The object store refused to read the object (403): it was deleted, or the credentials in use may not read it.";

// A 403 of its own (S3's error codes): the object is in an archive (Glacier Flexible Retrieval, Deep Archive, an
// Intelligent-Tiering archive tier), which GetObject cannot read until RestoreObject has made a copy.
const ARCHIVED =
  "The object store refused to read the object (403): it is archived, and must be restored before it can be read.";

/**
 * Opens S3 objects for the CSV import, streaming: the body is the SDK's response stream, read as it is
 * consumed, so memory stays flat whatever the object's size.
 *
 * `ref.version` is what the S3 trigger found in the event: the `versionId` in a versioned bucket, else the
 * `eTag`. Either way the read is pinned to that content: an ETag is sent as `If-Match`, a version id as
 * `VersionId`. When the object has changed since (or is gone), `open` throws `ObjectNotFoundError` rather
 * than import other bytes under the old version's identity.
 *
 * S3 answers a missing key or version with 403, not 404, unless the role may `s3:ListBucket` the bucket: grant
 * it, or a deleted object surfaces as a `StoreUnavailableError` that says S3 refused the read (403), whatever
 * the reason, rather than as `ObjectNotFoundError`.
 *
 * @example
 * const objects = new S3ObjectSource(new S3Client({}));
 * const { body, size } = await objects.open({ container: "uploads", key: "todos.csv", version: eTag });
 * for await (const chunk of body) parser.write(chunk);
 */
export class S3ObjectSource implements ObjectSource {
  constructor(private readonly client: S3Client) {}

  async open(ref: ObjectRef, { signal }: { signal?: AbortSignal } = {}): Promise<OpenedObject> {
    const input: GetObjectCommandInput = { Bucket: ref.container, Key: ref.key, ...pinOf(ref.version) };
    let output: GetObjectCommandOutput;
    try {
      // Given up when the import is stopped: an S3 that sends no headers held a stopped import through the SDK's
      // three attempts of 60 s each (189 s seen), past the Lambda time limit the stop was for.
      output = await this.client.send(
        new GetObjectCommand(input),
        signal === undefined ? {} : { abortSignal: signal },
      );
    } catch (error) {
      if (isNotFound(error, input)) throw new ObjectNotFoundError(ref, { cause: error });
      // Not a store that is down: a retry meets the same answer until the object or the role changes.
      if (errorName(error) === "InvalidObjectState")
        throw new StoreUnavailableError(ARCHIVED, { cause: error });
      if (httpStatusOf(error) === 403) throw new StoreUnavailableError(ACCESS_DENIED, { cause: error });
      throw new StoreUnavailableError("The object store is unavailable.", { cause: error });
    }
    const { Body: body, ContentLength: size, ContentType: contentType, VersionId, ETag } = output;
    if (!isAsyncIterable(body)) {
      throw new StoreUnavailableError("The object store answered without a readable body.");
    }
    // "null" is the version id of every object written while versioning was off or suspended: not a version
    // of its own. The ETag names the content then, as the S3 trigger does (one import id either way).
    const version = VersionId !== undefined && VersionId !== "null" ? VersionId : unquote(ETag);
    return {
      body,
      ...(size !== undefined && { size }),
      ...(contentType !== undefined && { contentType }),
      ...(version !== undefined && { version }),
    };
  }
}

/** The GetObject parameters that pin `version`: `IfMatch` for an ETag, `VersionId` for anything else. */
export function pinOf(version: string | undefined): Pick<GetObjectCommandInput, "IfMatch" | "VersionId"> {
  if (version === undefined) return {};
  const etag = ETAG.exec(version)?.[1];
  return etag === undefined ? { VersionId: version } : { IfMatch: `"${etag}"` };
}

function isNotFound(error: unknown, input: GetObjectCommandInput): boolean {
  const name = errorName(error);
  if (name !== undefined && NOT_FOUND.has(name)) return true;
  // If-Match failed: the object was replaced since the event named it.
  if (httpStatusOf(error) === 412) return true;
  // An unversioned bucket refuses any version id but "null" as malformed: that version cannot exist there.
  return input.VersionId !== undefined && name === "InvalidArgument";
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, "$1");
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as AsyncIterable<Uint8Array> | undefined)?.[Symbol.asyncIterator] === "function";
}
