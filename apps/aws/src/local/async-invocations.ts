import { setTimeout as delayFor } from "node:timers/promises";
import { decodedS3Key } from "@anycloud/adapters-aws/triggers";
import { CSV_UPLOADS, type FunctionName } from "./functions.js";
import type { LocalLambdas } from "./local-lambdas.js";

/** Lambda's own waits before its two retries of a failed asynchronous invocation: about 1, then 2 minutes. */
export const LAMBDA_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

/** How long after a lease runs out a retry waits, so that the ledger sees it expired. */
const LEASE_MARGIN_MS = 250;

export interface AsyncInvocationsOptions {
  lambdas: Pick<LocalLambdas, "invoke" | "idle">;
  /** Waits before the retries of a failed invocation (the loop's 1 and 2 s; Lambda's about 1 and 2 minutes). */
  retryDelaysMs: readonly number[];
  log: (line: string) => void;
}

export interface AsyncInvocations {
  /**
   * Invokes `name` with `event` as Lambda runs an asynchronous invocation (an S3 notification, an Invoke
   * with `X-Amz-Invocation-Type: Event`): retried after each of `retryDelaysMs` while it throws, the final
   * failure and csvImport's reports logged. Resolves when the last attempt has ended; never rejects.
   */
  invoke(name: FunctionName, event: unknown): Promise<void>;
  /** Cancels the retries waiting and retries nothing more: the stand-ins they would call are going away. */
  close(): void;
}

/** The report fields the log line reads; csvImport's outcome holds one per import it ran. */
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

/**
 * Lambda's asynchronous invocations, in this process. A retry waits `retryDelaysMs` (seconds here, not
 * Lambda's minutes), except when the attempt found its import held by another invocation (the same upload's
 * event delivered twice, or a claim left by an attempt that lost its answer): a retry a second later would
 * find it held again, where Lambda's, a minute later, finds the import finished or its lease run out. That
 * retry waits, at most as long as Lambda's would, until the invocations of the function running now have
 * ended (the holder, when it runs here), or the lease has run out.
 *
 * @example
 * const invocations = asyncInvocations({ lambdas, retryDelaysMs: [1_000, 2_000], log: console.log });
 * void invocations.invoke("csvImport", s3Event);
 */
export function asyncInvocations(options: AsyncInvocationsOptions): AsyncInvocations {
  const { lambdas, retryDelaysMs, log } = options;
  const closing = new AbortController();

  const invoke = async (name: FunctionName, event: unknown): Promise<void> => {
    const label = `${name}${targetOf(event)}`;
    if (closing.signal.aborted) return log(`${label}: not invoked, the loop is stopping.`);
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = (await lambdas.invoke(name, event)) as { imported?: ReportLike[] } | undefined;
        if (name === CSV_UPLOADS.functionName) {
          for (const report of outcome?.imported ?? []) log(describeReport(label, report));
        }
        return;
      } catch (error) {
        if (closing.signal.aborted) {
          log(`${label}: attempt ${attempt} ended by the stop: ${describeError(error)}`);
          return;
        }
        const delay = retryDelaysMs[attempt - 1];
        const heldUntil = leaseEndOf(error);
        if (delay === undefined) {
          log(`${label}: attempt ${attempt} failed, no retry left (${finalFailure(name, heldUntil)}):`);
          log(`  ${describeError(error)}`);
          return;
        }
        try {
          await waitToRetry({ name, label, attempt, error, delay, heldUntil });
        } catch {
          log(`${label}: the retry was cancelled by the stop.`);
          return;
        }
      }
    }
  };

  /**
   * Says that an attempt failed and when it is retried, then waits that long: its `delay`, or, when it found its
   * import held, until the holder has ended here or its lease has run out. Rejects when the loop stops.
   */
  const waitToRetry = ({ name, label, attempt, error, delay, heldUntil }: FailedAttempt) => {
    if (heldUntil === undefined) {
      log(`${label}: attempt ${attempt} failed, retrying in ${delay} ms: ${describeError(error)}`);
      return delayFor(delay, undefined, { signal: closing.signal });
    }
    const lambdaDelay = LAMBDA_RETRY_DELAYS_MS[attempt - 1] ?? delay;
    const longest = Math.min(lambdaDelay, Math.max(delay, heldUntil - Date.now() + LEASE_MARGIN_MS));
    // The holder may run here: then its end is worth waiting for. Else (its attempt lost its answer, or ran in
    // an earlier loop on the same DynamoDB) only the lease's end frees the import.
    const idle = lambdas.idle(name);
    const until = idle ? `once the ${name} invocations running now have ended, or ` : "";
    log(
      `${label}: attempt ${attempt} found the import held by another invocation (its lease runs to ` +
        `${new Date(heldUntil).toISOString()}): retrying ${until}in ${longest} ms (Lambda retries ` +
        `after about ${lambdaDelay / 60_000} min).`,
    );
    return waitForHolder(idle, delay, longest, closing.signal);
  };

  return { invoke, close: () => closing.abort() };
}

/** An attempt that failed and has a retry left: `delay` is the loop's wait before it. */
interface FailedAttempt {
  name: FunctionName;
  /** The function and the object its event names, for the log. */
  label: string;
  attempt: number;
  error: unknown;
  delay: number;
  /** When the attempt found its import held by another invocation: the latest end of the holder's lease. */
  heldUntil: number | undefined;
}

/** Waits `longest` ms, or `shortest` ms once `idle` (when given) has resolved; rejects when `closing` aborts. */
async function waitForHolder(
  idle: Promise<void> | undefined,
  shortest: number,
  longest: number,
  closing: AbortSignal,
): Promise<void> {
  const done = new AbortController();
  const signal = AbortSignal.any([closing, done.signal]);
  try {
    const waits = [delayFor(longest, undefined, { signal })];
    if (idle)
      waits.push(Promise.all([delayFor(shortest, undefined, { signal }), idle]).then(() => undefined));
    await Promise.race(waits);
  } finally {
    done.abort();
  }
}

/** ` s3://bucket/key` for an S3 notification (its first record's object, the key decoded), else nothing. */
function targetOf(event: unknown): string {
  const s3 = (event as { Records?: { s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } } }[] })
    ?.Records?.[0]?.s3;
  const bucket = s3?.bucket?.name;
  const key = s3?.object?.key;
  if (typeof bucket !== "string" || typeof key !== "string") return "";
  try {
    return ` s3://${bucket}/${decodedS3Key(key)}`;
  } catch {
    return ` s3://${bucket}/${key}`;
  }
}

/**
 * When the invocation failed because another holds its import (core's ImportInProgressError, from the
 * function's own bundle: recognised by its code), the latest time one of those leases runs to.
 */
function leaseEndOf(error: unknown): number | undefined {
  const ends: number[] = [];
  const visit = (value: unknown) => {
    if (value instanceof AggregateError) for (const inner of value.errors) visit(inner);
    const { code, leaseExpiresAt } = (value ?? {}) as { code?: unknown; leaseExpiresAt?: unknown };
    if (code !== "IMPORT_IN_PROGRESS" || typeof leaseExpiresAt !== "string") return;
    const end = Date.parse(leaseExpiresAt);
    if (Number.isFinite(end)) ends.push(end);
  };
  visit(error);
  return ends.length === 0 ? undefined : Math.max(...ends);
}

/** What AWS would do with the event once Lambda's retries are spent. */
function finalFailure(name: FunctionName, heldUntil: number | undefined): string {
  if (name !== CSV_UPLOADS.functionName) return "on AWS the event would be dropped";
  const queued = "on AWS the event would go to the ImportFailuresQueue";
  return heldUntil === undefined ? queued : `${queued}; the invocation that holds the import goes on with it`;
}

function describeReport(label: string, report: ReportLike): string {
  const counts = `${report.imported} imported, ${report.rejected} rejected, ${report.failed} failed`;
  const lines = [
    `${label}: ${report.status}, ${counts} of ${report.rowsRead} rows in ${report.durationMs} ms`,
  ];
  if (report.note) lines.push(`  ${report.note}`);
  for (const { line, reason } of (report.errors ?? []).slice(0, ERRORS_SHOWN))
    lines.push(`  line ${line}: ${reason}`);
  const more = (report.errors?.length ?? 0) - ERRORS_SHOWN;
  if (more > 0 || report.errorsTruncated) lines.push("  ... more errors in the report");
  return lines.join("\n");
}

export function describeError(error: unknown): string {
  if (error instanceof AggregateError)
    return [error.message, ...error.errors.map((inner) => describeError(inner))].join("; ");
  return error instanceof Error ? error.message : String(error);
}
