import {
  ImportFailedError,
  ImportInProgressError,
  type ImportReport,
  type ImportTodos,
  type Logger,
  ObjectNotFoundError,
} from "@anycloud/core";
import { timeLimitOf } from "../lambda/time-limit.js";
import { importCommandsFromS3Event, type SkippedS3Record } from "./s3-import-commands.js";

/** What one invocation did; Lambda discards it for S3's asynchronous invokes, tests and logs read it. */
export interface S3ImportOutcome {
  /** True for a warm-up ping, which does nothing else. */
  warm: boolean;
  /** Reports of the imports run here, or answered from the ledger for an object imported before. */
  imported: ImportReport[];
  /** Records that named no object to import, and objects gone (deleted or overwritten) since their event. */
  skipped: SkippedS3Record[];
}

export type S3ImportHandler = (event: unknown, context?: unknown) => Promise<S3ImportOutcome>;

/** The event `serverless-plugin-warmup` sends to keep a function warm. */
export function isWarmUpPing(event: unknown): boolean {
  return (
    typeof event === "object" &&
    event !== null &&
    (event as { source?: unknown }).source === "serverless-plugin-warmup"
  );
}

/**
 * A Lambda handler for S3 notifications that imports each created CSV object. It runs every import of the
 * event, then throws if any failed, ended FAILED or is held by another invocation, so that Lambda's
 * asynchronous retry runs the event again: the ledger answers the finished imports and the derived todo ids
 * make rewrites harmless. An import still running 3 s before the function's timeout (half-way through a timeout
 * of 6 s or less) is stopped and recorded FAILED (see lambda/time-limit.ts), and so retried too. An object gone since its event is skipped, not retried;
 * an event that is no S3 notification is logged and thrown.
 *
 * @example
 * const importTodos = new ImportTodos(todos, ledger, systemClock, logger, new S3ObjectSource(s3));
 * export const handler = createS3ImportHandler(importTodos, logger);
 */
export function createS3ImportHandler(
  importTodos: Pick<ImportTodos, "execute">,
  logger: Logger,
): S3ImportHandler {
  return async function handleS3Event(event: unknown, context?: unknown): Promise<S3ImportOutcome> {
    if (isWarmUpPing(event)) return { warm: true, imported: [], skipped: [] };
    const timeLimit = timeLimitOf(context);
    try {
      return await importAll(event, timeLimit?.signal);
    } finally {
      timeLimit?.clear();
    }
  };

  async function importAll(event: unknown, signal: AbortSignal | undefined): Promise<S3ImportOutcome> {
    const { commands, skipped, notS3 } = importCommandsFromS3Event(event);
    if (notS3 !== undefined) {
      // S3's event wrapped by SNS or SQS, or an EventBridge event: wiring, not data. Answering success would drop
      // every upload unseen. Thrown, the event is retried, then kept where its source keeps failed events (the
      // on-failure destination for SNS and EventBridge, which invoke asynchronously; for SQS, the queue and its
      // redrive policy), to be replayed once the function gets S3's own events.
      logger.error("The event is not an S3 notification; is the function wired to SNS, SQS or EventBridge?", {
        reason: notS3,
      });
      throw new Error(`Not an S3 notification: ${notS3}`);
    }
    for (const record of skipped) logger.info("Skipped an S3 record.", { ...record });

    const imported: ImportReport[] = [];
    const failures: Failure[] = [];
    for (const { command, eventName, sequencer } of commands) {
      const { container: bucket, key, version } = command.source;
      try {
        const report = await importTodos.execute(command, signal ? { signal } : {});
        imported.push(report);
        if (report.status === "FAILED") {
          failures.push({ key, error: new ImportFailedError(report) });
          logger.error("An S3 import ended FAILED.", {
            importId: report.importId,
            bucket,
            key,
            failed: report.failed,
          });
        }
      } catch (error) {
        // Overwritten (the pinned ETag no longer matches) or deleted: a retry would find it gone again and end in
        // the on-failure destination for nothing; an overwrite has an event of its own, which imports the new
        // content. (A deleted object reads as gone only if the role may s3:ListBucket; without, S3 answers 403,
        // which is retried like any other failure.)
        if (error instanceof ObjectNotFoundError) {
          skipped.push({
            eventName,
            key,
            reason: "The object is gone: deleted or overwritten since this event.",
          });
          logger.warn("The object of an S3 record is gone: nothing to import.", { bucket, key, version });
          continue;
        }
        failures.push({ key, error });
        if (error instanceof ImportInProgressError) {
          // Expected when an event is delivered twice at once: not an error, but not done here either. The holder
          // may be running it, or may have crashed (out of memory) leaving a claim that expires only after its
          // lease: answering success would lose the import in that case. By Lambda's retries (after about 1, then
          // 2 minutes) the import has usually COMPLETED and the retry gets its report, or its lease (a minute)
          // has expired and the retry takes it over. An import still running after both sends this duplicate
          // to the on-failure destination although it completes: harmless, replaying it answers from the ledger.
          logger.warn("Another invocation holds this S3 import; throwing so that Lambda retries it.", {
            importId: error.importId,
            leaseExpiresAt: error.leaseExpiresAt,
            bucket,
            key,
          });
        } else {
          logger.error("An S3 import failed.", { bucket, key, version, eventName, sequencer, error });
        }
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(
        failures.map(({ error }) => error),
        `${failures.length} of ${commands.length} imports of this S3 event failed or are held by another ` +
          `invocation; a retry runs them again. ${whyEach(failures)}`,
      );
    }
    return { warm: false, imported, skipped };
  }
}

/** An import of the event that did not finish here, by its object's key. */
interface Failure {
  key: string;
  error: unknown;
}

/** How many failures the thrown error's message names, each with its key and message. */
const FAILURES_TOLD = 3;

/**
 * Each failure's key and message, for the thrown error's message: Lambda's invocation record (the failures queue's
 * message) keeps the thrown error's type, message and stack, not the errors it aggregates.
 */
function whyEach(failures: Failure[]): string {
  const told = failures
    .slice(0, FAILURES_TOLD)
    .map(({ key, error }) => `${key}: ${error instanceof Error ? error.message : String(error)}`);
  const more = failures.length - told.length;
  return told.join(" ") + (more > 0 ? ` And ${more} more.` : "");
}
