import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import { asyncInvocations, describeError } from "./async-invocations.js";
import { CSV_UPLOADS } from "./functions.js";
import type { LocalLambdas } from "./local-lambdas.js";
import { normaliseS3rverRecord } from "./s3-events.js";

export interface CsvUploadsOptions {
  lambdas: Pick<LocalLambdas, "invoke" | "idle">;
  /** Reads what s3rver's records leave out (a copy's ETag). */
  s3: S3Client;
  /** The bucket whose notification invokes csvImport. */
  bucket: string;
  /** Waits before each retry of a failed invocation: Lambda retries an asynchronous one twice. */
  retryDelaysMs: readonly number[];
  log: (line: string) => void;
}

export interface CsvUploads {
  /** Takes s3rver's event for an object created. */
  onEvent(event: S3Event): void;
  /** Takes no more events and cancels the retries waiting: the stand-ins they would call are going away. */
  close(): void;
}

/**
 * The S3 notification of serverless.yml, for s3rver: each object created in `bucket` whose key ends in
 * `.csv` invokes csvImport asynchronously with a real-shaped event (one record, key URL-encoded), retried as
 * Lambda retries (see `asyncInvocations`); when the last attempt fails too, the event would go to the
 * ImportFailuresQueue on AWS, and is logged here. Each import's report is logged.
 */
export function csvUploadsListener(options: CsvUploadsOptions): CsvUploads {
  const { s3, bucket, log } = options;
  const invocations = asyncInvocations(options);
  let closed = false;

  const onEvent = (event: S3Event) => {
    if (closed) return;
    for (const record of event.Records) {
      const { bucket: from, object } = record.s3;
      const created = record.eventName.startsWith("ObjectCreated:");
      if (!created || from.name !== bucket || !object.key.endsWith(CSV_UPLOADS.suffix)) continue;
      normaliseS3rverRecord(s3, record).then(
        (normalised) => invocations.invoke(CSV_UPLOADS.functionName, { Records: [normalised] }),
        (error: unknown) => {
          log(
            `csvImport s3://${from.name}/${object.key}: the event could not be built: ${describeError(error)}`,
          );
        },
      );
    }
  };
  return {
    onEvent,
    close: () => {
      closed = true;
      invocations.close();
    },
  };
}
