import { setTimeout as delayFor } from "node:timers/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Event, S3EventRecord } from "aws-lambda";
import { CSV_UPLOADS } from "./functions.js";
import type { LocalLambdas } from "./local-lambdas.js";
import { normaliseS3rverRecord } from "./s3-events.js";

export interface CsvUploadsOptions {
  lambdas: LocalLambdas;
  /** Reads what s3rver's records leave out (a copy's ETag). */
  s3: S3Client;
  /** The bucket whose notification invokes csvImport. */
  bucket: string;
  /** Waits before each retry of a failed invocation: Lambda retries an asynchronous one twice. */
  retryDelaysMs: readonly number[];
  log: (line: string) => void;
}

/** The report fields the log line reads; the handler's outcome holds one per import it ran. */
interface ReportLike {
  status?: string;
  rowsRead?: number;
  imported?: number;
  rejected?: number;
  failed?: number;
  durationMs?: number;
  note?: string;
  errors?: { line: number; reason: string }[];
  errorsTruncated?: boolean;
}

const ERRORS_SHOWN = 5;

export interface CsvUploads {
  /** Takes s3rver's event for an object created. */
  onEvent(event: S3Event): void;
  /** Takes no more events and cancels the retries waiting: the stand-ins they would call are going away. */
  close(): void;
}

/**
 * The S3 notification of serverless.yml, for s3rver: each object created in `bucket` whose key ends in
 * `.csv` invokes csvImport asynchronously with a real-shaped event (one record, key URL-encoded). An
 * invocation that throws is retried after each of `retryDelaysMs`, as Lambda does; when the last one fails
 * too, the event would go to the ImportFailuresQueue on AWS, and is logged here. Each import's report is
 * logged.
 */
export function csvUploadsListener(options: CsvUploadsOptions): CsvUploads {
  const { lambdas, s3, bucket, retryDelaysMs, log } = options;
  const closing = new AbortController();

  const deliver = async (raw: S3EventRecord) => {
    const target = `s3://${raw.s3.bucket.name}/${raw.s3.object.key}`;
    const event = { Records: [await normaliseS3rverRecord(s3, raw)] };
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = (await lambdas.invoke(CSV_UPLOADS.functionName, event)) as {
          imported?: ReportLike[];
        };
        for (const report of outcome?.imported ?? []) log(describeReport(target, report));
        return;
      } catch (error) {
        if (closing.signal.aborted) {
          log(`csvImport ${target}: attempt ${attempt} ended by the stop: ${describeError(error)}`);
          return;
        }
        const delay = retryDelaysMs[attempt - 1];
        if (delay === undefined) {
          log(`csvImport ${target}: attempt ${attempt} failed, no retry left (on AWS the event would go to`);
          log(`  the ImportFailuresQueue): ${describeError(error)}`);
          return;
        }
        log(
          `csvImport ${target}: attempt ${attempt} failed, retrying in ${delay} ms: ${describeError(error)}`,
        );
        try {
          await delayFor(delay, undefined, { signal: closing.signal });
        } catch {
          log(`csvImport ${target}: the retry was cancelled by the stop.`);
          return;
        }
      }
    }
  };

  const onEvent = (event: S3Event) => {
    if (closing.signal.aborted) return;
    for (const record of event.Records) {
      const { bucket: from, object } = record.s3;
      const created = record.eventName.startsWith("ObjectCreated:");
      if (!created || from.name !== bucket || !object.key.endsWith(CSV_UPLOADS.suffix)) continue;
      deliver(record).catch((error: unknown) => {
        log(
          `csvImport s3://${from.name}/${object.key}: the event could not be built: ${describeError(error)}`,
        );
      });
    }
  };
  return { onEvent, close: () => closing.abort() };
}

function describeReport(target: string, report: ReportLike): string {
  const counts = `${report.imported} imported, ${report.rejected} rejected, ${report.failed} failed`;
  const lines = [
    `csvImport ${target}: ${report.status}, ${counts} of ${report.rowsRead} rows in ${report.durationMs} ms`,
  ];
  if (report.note) lines.push(`  ${report.note}`);
  for (const { line, reason } of (report.errors ?? []).slice(0, ERRORS_SHOWN))
    lines.push(`  line ${line}: ${reason}`);
  const more = (report.errors?.length ?? 0) - ERRORS_SHOWN;
  if (more > 0 || report.errorsTruncated) lines.push("  ... more errors in the report");
  return lines.join("\n");
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError)
    return [error.message, ...error.errors.map((inner) => describeError(inner))].join("; ");
  return error instanceof Error ? error.message : String(error);
}
