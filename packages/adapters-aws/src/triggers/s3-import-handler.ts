import {
  ImportFailedError,
  ImportInProgressError,
  type ImportReport,
  type ImportTodos,
  type Logger,
} from "@anycloud/core";
import { importCommandsFromS3Event, type SkippedS3Record } from "./s3-import-commands.js";

/** What one invocation did; Lambda discards it for S3's asynchronous invokes, tests and logs read it. */
export interface S3ImportOutcome {
  /** True for a warm-up ping, which does nothing else. */
  warm: boolean;
  /** Reports of the imports run here, or answered from the ledger for an object imported before. */
  imported: ImportReport[];
  skipped: SkippedS3Record[];
  /** Ids of imports another invocation is running (the same event delivered twice at once). */
  inProgress: string[];
}

export type S3ImportHandler = (event: unknown) => Promise<S3ImportOutcome>;

/** The event `serverless-plugin-warmup` sends to keep a function warm. */
export function isWarmUpPing(event: unknown): boolean {
  return (
    typeof event === "object" &&
    event !== null &&
    (event as { source?: unknown }).source === "serverless-plugin-warmup"
  );
}

/**
 * A Lambda handler for S3 notifications that imports each created CSV object. Runs every import of the event
 * before it answers; if any throws or ends FAILED it then throws, so that Lambda's asynchronous retry runs
 * the event again: the ledger answers the finished imports and the derived todo ids make rewrites harmless.
 * An import another invocation holds (`ImportInProgressError`) is left to it.
 *
 * @example
 * const importTodos = new ImportTodos(todos, ledger, systemClock, logger, new S3ObjectSource(s3));
 * export const handler = createS3ImportHandler(importTodos, logger);
 */
export function createS3ImportHandler(
  importTodos: Pick<ImportTodos, "execute">,
  logger: Logger,
): S3ImportHandler {
  return async function handleS3Event(event: unknown): Promise<S3ImportOutcome> {
    if (isWarmUpPing(event)) return { warm: true, imported: [], skipped: [], inProgress: [] };
    const { commands, skipped } = importCommandsFromS3Event(event);
    for (const record of skipped) logger.info("Skipped an S3 record.", { ...record });

    const imported: ImportReport[] = [];
    const inProgress: string[] = [];
    const failures: unknown[] = [];
    for (const { command, eventName, sequencer } of commands) {
      const { container: bucket, key, version } = command.source;
      try {
        const report = await importTodos.execute(command);
        imported.push(report);
        if (report.status === "FAILED") {
          failures.push(new ImportFailedError(report));
          logger.error("An S3 import ended FAILED.", {
            importId: report.importId,
            bucket,
            key,
            failed: report.failed,
          });
        }
      } catch (error) {
        if (error instanceof ImportInProgressError) {
          inProgress.push(error.importId);
          logger.info("Another invocation is running this S3 import.", {
            importId: error.importId,
            bucket,
            key,
          });
          continue;
        }
        failures.push(error);
        logger.error("An S3 import failed.", { bucket, key, version, eventName, sequencer, error });
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(
        failures,
        `${failures.length} of ${commands.length} imports of this S3 event failed; a retry runs them again.`,
      );
    }
    return { warm: false, imported, skipped, inProgress };
  };
}
