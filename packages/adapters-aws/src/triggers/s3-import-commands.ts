import type { ImportCommand } from "@anycloud/core";

/** One import to run, with what the S3 record said about it. */
export interface S3ImportCommand {
  command: ImportCommand;
  /** The object's size in bytes, when the record gave it. */
  size?: number;
  eventName: string;
  /** Orders events on one key; a redelivered event carries the same one. */
  sequencer?: string;
}

/** A record that starts no import, and why. */
export interface SkippedS3Record {
  eventName: string;
  /** The decoded key, or the raw one when it could not be decoded. */
  key?: string;
  reason: string;
}

export interface S3ImportPlan {
  commands: S3ImportCommand[];
  skipped: SkippedS3Record[];
  /**
   * Why the event is no S3 notification at all, when it is not: not an object, no `Records`, or records from
   * another source (S3's event wrapped by SNS or SQS, or an EventBridge event). Then nothing else is read.
   */
  notS3?: string;
}

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields => typeof value === "object" && value !== null;
const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * Reads an S3 notification into import commands: one per object created (`ObjectCreated:Put`, `Post`, `Copy`,
 * `CompleteMultipartUpload`), named by bucket, decoded key and version (`versionId`, else `eTag`), so that a
 * redelivery names the same import. Other records (`ObjectRemoved:*`) and malformed ones are skipped with a
 * reason, and so is an `s3:TestEvent` (S3 sends one to an SNS or SQS destination when a notification is set up,
 * none to a function, which only meets one replayed). An event that is not an S3 notification says why in
 * `notS3`. Nothing here throws.
 *
 * @example
 * const { commands, skipped } = importCommandsFromS3Event(event);
 * for (const { command } of commands) await importTodos.execute(command);
 */
export function importCommandsFromS3Event(event: unknown): S3ImportPlan {
  const plan: S3ImportPlan = { commands: [], skipped: [] };
  if (!isFields(event)) return { ...plan, notS3: "The event is not an object." };
  if (event.Event === "s3:TestEvent") {
    plan.skipped.push({
      eventName: "s3:TestEvent",
      reason: "A test event S3 sends when notifications are set up.",
    });
    return plan;
  }
  if (!Array.isArray(event.Records)) return { ...plan, notS3: "The event has no Records." };
  const foreign = event.Records.map(sourceOf).find((source) => source !== undefined && source !== "aws:s3");
  if (foreign !== undefined) return { ...plan, notS3: `Its records come from ${foreign}, not aws:s3.` };
  const seen = new Set<string>();
  for (const record of event.Records) {
    const read = readRecord(record);
    if ("reason" in read) {
      plan.skipped.push(read);
      continue;
    }
    const { source } = read.command;
    // The same object version twice in one event (S3 delivers at least once) is one import.
    const identity = `${source.container}\n${source.key}\n${source.version ?? ""}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    plan.commands.push(read);
  }
  return plan;
}

function readRecord(record: unknown): S3ImportCommand | SkippedS3Record {
  if (!isFields(record)) return { eventName: "unknown", reason: "The record is not an object." };
  const eventName = nonEmptyString(record.eventName) ? record.eventName : "unknown";
  if (record.eventSource !== "aws:s3") return { eventName, reason: "The record does not come from S3." };
  if (!eventName.startsWith("ObjectCreated:"))
    return { eventName, reason: "Only created objects are imported." };
  const s3 = isFields(record.s3) ? record.s3 : {};
  const bucket = isFields(s3.bucket) ? s3.bucket.name : undefined;
  const object = isFields(s3.object) ? s3.object : {};
  const rawKey = object.key;
  if (!nonEmptyString(bucket) || !nonEmptyString(rawKey)) {
    return { eventName, reason: "The record names no bucket or no object key." };
  }
  let key: string;
  try {
    key = decodedS3Key(rawKey);
  } catch {
    return { eventName, key: rawKey, reason: "The object key is not valid percent-encoding." };
  }
  const version = versionOf(object);
  const command: S3ImportCommand = {
    command: {
      source: version === undefined ? { container: bucket, key } : { container: bucket, key, version },
      quote: "auto",
    },
    eventName,
  };
  if (typeof object.size === "number" && Number.isSafeInteger(object.size) && object.size >= 0)
    command.size = object.size;
  if (nonEmptyString(object.sequencer)) command.sequencer = object.sequencer;
  return command;
}

/** A record's event source: `eventSource` in S3 and SQS records, `EventSource` in SNS ones. */
function sourceOf(record: unknown): string | undefined {
  if (!isFields(record)) return undefined;
  const source = record.eventSource ?? record.EventSource;
  return typeof source === "string" ? source : undefined;
}

/** The version id when the bucket is versioned ("null" means it is not), else the eTag. */
function versionOf(object: Fields): string | undefined {
  if (nonEmptyString(object.versionId) && object.versionId !== "null") return object.versionId;
  return nonEmptyString(object.eTag) ? object.eTag : undefined;
}

/**
 * An object key as an S3 notification writes it, decoded: keys arrive form-encoded, `+` for a space and `%2B` for a
 * literal `+`. Throws `URIError` on a key that is not valid percent-encoding.
 */
export function decodedS3Key(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, " "));
}
