import { setTimeout as delay } from "node:timers/promises";
import type { PutManyFailure } from "@anycloud/core";
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import type { PendingPut } from "./batch-plan.js";
import { errorName, isRetryableBatchError } from "./sdk-errors.js";

export interface BatchWriterOptions {
  /** BatchWriteItem calls in flight at once. */
  concurrency: number;
  /** Calls per batch, the first included, before its remaining items are reported failed. */
  maxAttempts: number;
  /** The backoff before the second call; doubled for each later one, then jittered. */
  baseDelayMs: number;
  /** Uniform in [0, 1): the jitter. */
  random: () => number;
  /**
   * How long one `write` or `writeIfAbsent` may go on: after it, no call is retried and no batch is started,
   * and what is unwritten is reported busy. A call already in flight is let finish.
   */
  timeBudgetMs: number;
  /** Milliseconds on a monotonic clock: the budget's. */
  now: () => number;
  /** Waits out a backoff of `ms`, or less once `signal` is aborted: `sleep`, unless a test records the delays. */
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

export const STORE_BUSY = "The store was too busy to write the todo; try again later.";
export const STORE_REFUSED = "The store refused the todo.";
export const WRITE_STOPPED = "The write was stopped before the store confirmed it.";

/** One `write` or `writeIfAbsent`: when its time budget ends, and the caller's signal. */
interface Run {
  deadline: number;
  signal: AbortSignal | undefined;
}

// No single backoff waits longer than this, whatever maxAttempts is.
const MAX_DELAY_MS = 10_000;

/**
 * Writes planned batches with BatchWriteItem, `concurrency` calls at a time. A batch is retried, with
 * exponential backoff and full jitter, while the store throttles it, errs (5xx) or hands items back as
 * `UnprocessedItems`; only the items not yet written are sent again. Whatever is still unwritten after
 * `maxAttempts` calls is reported per item. Any other error (network, credentials, a missing table) is the
 * store as a whole failing: no further batch starts, and it is thrown once the calls in flight settle. Once the
 * caller's signal is aborted, the calls in flight are abandoned and nothing more is sent or retried: what is
 * not confirmed written is reported stopped.
 */
export class BatchWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: BatchWriterOptions,
  ) {}

  async write(batches: readonly PendingPut[][], signal?: AbortSignal): Promise<PutManyFailure[]> {
    const run = this.start(signal);
    const failed: PutManyFailure[] = [];
    await forEachConcurrently(batches, this.options.concurrency, async (batch) => {
      failed.push(...(await this.writeBatch(batch, run)));
    });
    return failed;
  }

  /**
   * Writes the puts whose id is not stored yet, batch by batch: a consistent BatchGetItem of the batch's ids
   * (BatchWriteItem takes no condition), then BatchWriteItem of those it did not find. An id already stored
   * counts as written, and its item is left as it is. The reads are retried as the writes are (throttles,
   * 5xx, `UnprocessedKeys`); a batch whose read stays throttled is reported busy.
   *
   * Used by an import's retries, whose earlier attempt may have written part of the file. The check and the
   * write are two calls, not one: only that import writes its todos' ids, so what can come between them is
   * the earlier attempt still finishing a call, which writes the same todo. A user's edit made to that todo in
   * the instant between would be undone, as by any batch that lands after a takeover (see `ImportLease`):
   * conditional puts would close the gap at about ten times the cost of a retry (bench/aws-import-retry.mjs).
   */
  async writeIfAbsent(batches: readonly PendingPut[][], signal?: AbortSignal): Promise<PutManyFailure[]> {
    const run = this.start(signal);
    const failed: PutManyFailure[] = [];
    await forEachConcurrently(batches, this.options.concurrency, async (batch) => {
      const stored = this.goesOn(run) ? await this.storedIds(batch, run) : undefined;
      // Checked again before the write: the read may have used up the budget.
      if (stored === undefined || !this.goesOn(run)) {
        failed.push(...unwritten(batch, run));
        return;
      }
      const absent = batch.filter(({ id }) => !stored.has(id));
      if (absent.length > 0) failed.push(...(await this.writeBatch(absent, run)));
    });
    return failed;
  }

  /**
   * Which of the batch's ids the table holds; undefined when it gave up: the store kept throttling or erring
   * through `maxAttempts` calls or past the time budget, or the caller's signal was aborted.
   */
  private async storedIds(batch: readonly PendingPut[], run: Run): Promise<Set<string> | undefined> {
    const stored = new Set<string>();
    let keys: Record<string, AttributeValue>[] = batch.map(({ id }) => ({ id: { S: id } }));
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: "#id",
                ExpressionAttributeNames: { "#id": "id" },
                ConsistentRead: true,
              },
            },
          }),
          { abortSignal: run.signal },
        );
        for (const item of output.Responses?.[this.tableName] ?? []) {
          if (item.id?.S !== undefined) stored.add(item.id.S);
        }
        keys = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        if (keys.length === 0) return stored;
      } catch (error) {
        if (run.signal?.aborted) return undefined;
        if (!isRetryableBatchError(error)) throw error;
      }
      if (!(await this.backOff(attempt, run))) return undefined;
    }
  }

  /** Writes one batch, retrying as the class says; starts no call once the budget is spent or the caller gave up. */
  private async writeBatch(batch: readonly PendingPut[], run: Run): Promise<PutManyFailure[]> {
    if (!this.goesOn(run)) return unwritten(batch, run);
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await this.client.send(
          new BatchWriteItemCommand({
            RequestItems: { [this.tableName]: pending.map(({ item }) => ({ PutRequest: { Item: item } })) },
          }),
          { abortSignal: run.signal },
        );
        pending = stillPending(pending, output.UnprocessedItems?.[this.tableName]);
        if (pending.length === 0) return [];
      } catch (error) {
        // Abandoned by the caller: the call may or may not have landed.
        if (run.signal?.aborted) return unwritten(pending, run);
        // A 400 for the whole call: some item is malformed after all. Find it by writing each alone.
        if (errorName(error) === "ValidationException") return this.isolate(pending, run);
        if (!isRetryableBatchError(error)) throw error;
      }
      if (!(await this.backOff(attempt, run))) return unwritten(pending, run);
    }
  }

  private async isolate(pending: readonly PendingPut[], run: Run): Promise<PutManyFailure[]> {
    const [only] = pending;
    if (pending.length === 1 && only) return [{ id: only.id, reason: STORE_REFUSED }];
    const failed: PutManyFailure[] = [];
    for (const put of pending) failed.push(...(await this.writeBatch([put], run)));
    return failed;
  }

  private start(signal: AbortSignal | undefined): Run {
    return { deadline: this.options.now() + this.options.timeBudgetMs, signal };
  }

  /** Whether a call may still be started: the budget is not spent, and the caller has not given up. */
  private goesOn(run: Run): boolean {
    return this.options.now() < run.deadline && run.signal?.aborted !== true;
  }

  /**
   * Waits out the backoff before the call after call `attempt`, with full jitter (uniform between 0 and the
   * exponential bound, so that retrying callers spread out); false, without waiting, when there is to be no such
   * call: the calls or the time budget are spent, or the caller gave up.
   */
  private async backOff(attempt: number, run: Run): Promise<boolean> {
    const { baseDelayMs, maxAttempts, random, now } = this.options;
    if (attempt >= maxAttempts || run.signal?.aborted) return false;
    const delay = Math.floor(random() * Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** (attempt - 1)));
    if (now() + delay < run.deadline) {
      await this.options.sleep(delay, run.signal);
      return true;
    }
    return false;
  }
}

/** Puts reported unwritten: stopped by the caller, or the store kept throttling or erring. */
function unwritten(puts: readonly PendingPut[], run: Run): PutManyFailure[] {
  const reason = run.signal?.aborted ? WRITE_STOPPED : STORE_BUSY;
  return puts.map(({ id }) => ({ id, reason }));
}

/** The puts DynamoDB handed back unprocessed, matched by id. */
function stillPending(pending: readonly PendingPut[], unprocessed: WriteRequest[] | undefined): PendingPut[] {
  if (unprocessed === undefined || unprocessed.length === 0) return [];
  const ids = new Set(unprocessed.map((request) => request.PutRequest?.Item?.id?.S));
  return pending.filter(({ id }) => ids.has(id));
}

/** Runs `work` over `items`, at most `concurrency` at once; after a failure starts no more, then throws it. */
async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  if (failure) throw failure.error;
}

/** Waits `ms`, or less if `signal` is aborted meanwhile (the caller then sees it and stops). */
export async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms > 0) await delay(ms, undefined, { signal }).catch(() => {});
}
