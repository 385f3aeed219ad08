import type { PutManyFailure } from "@anycloud/core";
import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import type { PendingPut } from "./batch-plan.js";
import { errorName, isRetryableWriteError } from "./sdk-errors.js";

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
}

export const STORE_BUSY = "The store was too busy to write the todo; try again later.";
export const STORE_REFUSED = "The store refused the todo.";

// No single backoff waits longer than this, whatever maxAttempts is.
const MAX_DELAY_MS = 10_000;

/**
 * Writes planned batches with BatchWriteItem, `concurrency` calls at a time. A batch is retried, with
 * exponential backoff and full jitter, while the store throttles it, errs (5xx) or hands items back as
 * `UnprocessedItems`; only the items not yet written are sent again. Whatever is still unwritten after
 * `maxAttempts` calls is reported per item. Any other error (network, credentials, a missing table) is the
 * store as a whole failing: no further batch starts, and it is thrown once the calls in flight settle.
 */
export class BatchWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: BatchWriterOptions,
  ) {}

  async write(batches: readonly PendingPut[][]): Promise<PutManyFailure[]> {
    const deadline = this.deadline();
    const failed: PutManyFailure[] = [];
    await forEachConcurrently(batches, this.options.concurrency, async (batch) => {
      failed.push(...(this.options.now() < deadline ? await this.writeBatch(batch, deadline) : busy(batch)));
    });
    return failed;
  }

  /**
   * Writes each put alone, and only where its id is free (PutItem on `attribute_not_exists(id)`; BatchWriteItem
   * takes no condition): an id already stored counts as written. A put the store throttles or fails (5xx) is
   * retried as a batch is, with backoff, up to `maxAttempts` calls; what still fails is reported per item, and
   * any other error is thrown as the store failing. Slower than batches, and used only by an import's retries.
   */
  async writeIfAbsent(puts: readonly PendingPut[]): Promise<PutManyFailure[]> {
    const deadline = this.deadline();
    const failed: PutManyFailure[] = [];
    // As many requests in flight as the batches would carry items, up to 32 (the SDK's pool has 50 sockets).
    const inFlight = Math.min(32, this.options.concurrency * 8);
    await forEachConcurrently(puts, inFlight, async (put) => {
      const failure = this.options.now() < deadline ? await this.putIfAbsent(put, deadline) : busy([put])[0];
      if (failure) failed.push(failure);
    });
    return failed;
  }

  private async putIfAbsent({ id, item }: PendingPut, deadline: number): Promise<PutManyFailure | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: "attribute_not_exists(id)",
          }),
        );
        return undefined;
      } catch (error) {
        const name = errorName(error);
        if (name === "ConditionalCheckFailedException") return undefined;
        if (name === "ValidationException") return { id, reason: STORE_REFUSED };
        if (!isRetryableWriteError(error)) throw error;
      }
      const delay = this.retryDelay(attempt, deadline);
      if (delay === undefined) return { id, reason: STORE_BUSY };
      await sleep(delay);
    }
  }

  private async writeBatch(batch: readonly PendingPut[], deadline: number): Promise<PutManyFailure[]> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await this.client.send(
          new BatchWriteItemCommand({
            RequestItems: { [this.tableName]: pending.map(({ item }) => ({ PutRequest: { Item: item } })) },
          }),
        );
        pending = stillPending(pending, output.UnprocessedItems?.[this.tableName]);
        if (pending.length === 0) return [];
      } catch (error) {
        // A 400 for the whole call: some item is malformed after all. Find it by writing each alone.
        if (errorName(error) === "ValidationException") return this.isolate(pending, deadline);
        if (!isRetryableWriteError(error)) throw error;
      }
      const delay = this.retryDelay(attempt, deadline);
      if (delay === undefined) return busy(pending);
      await sleep(delay);
    }
  }

  private async isolate(pending: readonly PendingPut[], deadline: number): Promise<PutManyFailure[]> {
    const [only] = pending;
    if (pending.length === 1 && only) return [{ id: only.id, reason: STORE_REFUSED }];
    const failed: PutManyFailure[] = [];
    for (const put of pending) failed.push(...(await this.writeBatch([put], deadline)));
    return failed;
  }

  private deadline(): number {
    return this.options.now() + this.options.timeBudgetMs;
  }

  /**
   * The backoff before the call after call `attempt`, with full jitter (uniform between 0 and the exponential
   * bound, so that retrying callers spread out); undefined when the calls or the time budget are spent.
   */
  private retryDelay(attempt: number, deadline: number): number | undefined {
    const { baseDelayMs, maxAttempts, random, now } = this.options;
    if (attempt >= maxAttempts) return undefined;
    const delay = Math.floor(random() * Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** (attempt - 1)));
    return now() + delay < deadline ? delay : undefined;
  }
}

/** Puts reported unwritten because the store kept throttling or erring. */
function busy(puts: readonly PendingPut[]): PutManyFailure[] {
  return puts.map(({ id }) => ({ id, reason: STORE_BUSY }));
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

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
