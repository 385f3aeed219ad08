import {
  guardStore,
  type ListOptions,
  type PutManyOptions,
  type PutManyResult,
  type Todo,
  TodoAlreadyExistsError,
  TodoNotFoundError,
  type TodoPage,
  type TodoRepository,
  VersionConflictError,
} from "@anycloud/core";
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import type { Item } from "./attribute-values.js";
import { planBatches } from "./batch-plan.js";
import { BatchWriter, sleep } from "./batch-writer.js";
import { decodeScanCursor, encodeScanCursor } from "./scan-cursor.js";
import { isConditionalCheckFailed, itemSentWithRefusal, watchAttempts } from "./sdk-errors.js";
import { todoFromItem, todoKey, todoToItem } from "./todo-item.js";

export interface DynamoDbTodoRepositoryOptions {
  /** A table whose hash key is `id` (S). */
  tableName: string;
  /** BatchWriteItem calls in flight during one `putMany`. Defaults to 4. */
  concurrency?: number;
  /**
   * Calls per batch while the table throttles, errs or hands items back, before they are reported. Each
   * call is itself retried by the SDK (the client's `maxAttempts`). Defaults to 8.
   */
  maxAttempts?: number;
  /** Backoff before the second call; doubles with each call, with full jitter. Defaults to 50 ms. */
  baseDelayMs?: number;
  /** The jitter's source, uniform in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
  /**
   * How long one `putMany` may retry before it reports what is unwritten as busy. Defaults to 20 s: a third
   * of an import's 60-s lease, so that a batch and the calls still in flight when it ends fit in the two
   * thirds the lease leaves for one (see core's `ImportLease`), and the import is not taken over while it
   * still writes.
   */
  timeBudgetMs?: number;
  /** The time budget's clock, in milliseconds. Defaults to `performance.now`. */
  now?: () => number;
  /**
   * How a retry waits out its backoff of `ms`: it should end early once `signal` is aborted. Defaults to a
   * timer; tests record the delays instead.
   */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

const STORE = "todo store";
const BY_VERSION = { "#version": "version" };

/**
 * Todos in a DynamoDB table keyed by `id`. Writes are single conditional writes (`create` refuses a taken id,
 * `update` and `delete` check the version); `putMany` goes through BatchWriteItem with retries.
 *
 * Listing is a paginated `Scan`, so todos come in the table's own order (by the hash of the id), not by
 * creation time. That order is stable and the cursor is just the last todo's key, so paging has no gaps or
 * repeats, and each page reads about `limit` items. The alternative, a GSI with one constant partition key
 * sorted by `createdAt`, would list in creation order but funnel every write into one index partition,
 * which throttles at about 1,000 writes per second: an import writes faster than that. If creation order
 * matters more than import speed, add that index and Query it instead.
 *
 * Reads are strongly consistent (GetItem and Scan with `ConsistentRead`), so a listing sees every write that
 * finished before it, at twice the read cost.
 *
 * @example
 * const repository = new DynamoDbTodoRepository(new DynamoDBClient({}), { tableName: "todos" });
 * await repository.putMany(todos); // { failed: [] }
 */
export class DynamoDbTodoRepository implements TodoRepository {
  /** Enough items for `concurrency` BatchWriteItem calls of 25, four rounds over: the pipe stays full. */
  readonly preferredBatchSize: number;
  private readonly tableName: string;
  private readonly writer: BatchWriter;

  constructor(
    private readonly client: DynamoDBClient,
    options: DynamoDbTodoRepositoryOptions,
  ) {
    const concurrency = Math.max(1, options.concurrency ?? 4);
    this.tableName = options.tableName;
    this.preferredBatchSize = 25 * concurrency * 4;
    this.writer = new BatchWriter(client, options.tableName, {
      concurrency,
      maxAttempts: Math.max(1, options.maxAttempts ?? 8),
      baseDelayMs: options.baseDelayMs ?? 50,
      random: options.random ?? Math.random,
      timeBudgetMs: options.timeBudgetMs ?? 20_000,
      now: options.now ?? (() => performance.now()),
      sleep: options.sleep ?? sleep,
    });
  }

  create(todo: Todo): Promise<void> {
    return guardStore(STORE, async () => {
      const command = new PutItemCommand({
        TableName: this.tableName,
        Item: todoToItem(todo),
        ConditionExpression: "attribute_not_exists(id)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      const attempts = watchAttempts(command);
      try {
        await this.client.send(command);
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        // Refused because of itself: the attempt whose answer was lost stored exactly this todo.
        if (attempts.mayHaveLanded() && isStoredAs(await this.storedAfterRefusal(todo.id, error), todo))
          return;
        throw new TodoAlreadyExistsError(todo.id, { cause: error });
      }
    });
  }

  get(id: string): Promise<Todo | undefined> {
    return guardStore(STORE, async () => {
      const item = await this.read(id);
      return item && todoFromItem(item);
    });
  }

  list({ limit, cursor }: ListOptions): Promise<TodoPage> {
    return guardStore(STORE, async () => {
      const after = cursor === undefined ? undefined : decodeScanCursor(cursor);
      // One item more than asked tells whether another page follows, so a listing never ends on an empty
      // page. A Scan page also stops at 1 MB: keep going until the extra item is in or the table ends.
      const items: Item[] = [];
      let startKey = after === undefined ? undefined : todoKey(after);
      do {
        const output = await this.client.send(
          new ScanCommand({
            TableName: this.tableName,
            Limit: limit + 1 - items.length,
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        );
        items.push(...(output.Items ?? []));
        startKey = output.LastEvaluatedKey;
      } while (startKey !== undefined && items.length <= limit);
      const page = items.slice(0, limit).map(todoFromItem);
      const last = page.at(-1);
      return items.length > limit && last
        ? { items: page, nextCursor: encodeScanCursor(last.id) }
        : { items: page };
    });
  }

  update(todo: Todo, expectedVersion: number): Promise<void> {
    return guardStore(STORE, async () => {
      const command = new PutItemCommand({
        TableName: this.tableName,
        Item: todoToItem(todo),
        ConditionExpression: "#version = :expected",
        ExpressionAttributeNames: BY_VERSION,
        ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      const attempts = watchAttempts(command);
      try {
        await this.client.send(command);
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        const stored = await this.storedAfterRefusal(todo.id, error);
        // Refused because of itself, as a create can be.
        if (attempts.mayHaveLanded() && isStoredAs(stored, todo)) return;
        throw missOf(todo.id, expectedVersion, stored, error);
      }
    });
  }

  delete(id: string, expectedVersion?: number): Promise<void> {
    const versioned = expectedVersion !== undefined;
    return guardStore(STORE, async () => {
      const command = new DeleteItemCommand({
        TableName: this.tableName,
        Key: todoKey(id),
        ConditionExpression: versioned ? "#version = :expected" : "attribute_exists(id)",
        ...(versioned && {
          ExpressionAttributeNames: BY_VERSION,
          ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      });
      const attempts = watchAttempts(command);
      try {
        await this.client.send(command);
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        // Without an expected version the only condition was that the todo exists: refused, it did not.
        if (!versioned && !attempts.mayHaveLanded()) throw new TodoNotFoundError(id, { cause: error });
        const stored = await this.storedAfterRefusal(id, error);
        // A retried delete that finds the todo gone, after an attempt whose answer was lost: that attempt
        // deleted it (or someone else did since). Either way it is gone, as asked. After attempts the store
        // refused (throttled), it was never there, or another delete won.
        if (attempts.mayHaveLanded() && stored === undefined) return;
        throw missOf(id, expectedVersion, stored, error);
      }
    });
  }

  putMany(
    todos: readonly Todo[],
    { keepExisting = false, signal }: PutManyOptions = {},
  ): Promise<PutManyResult> {
    return guardStore(STORE, async () => {
      const { batches, failed } = planBatches(todos);
      failed.push(
        ...(await (keepExisting
          ? this.writer.writeIfAbsent(batches, signal)
          : this.writer.write(batches, signal))),
      );
      return { failed };
    });
  }

  /** The item a refused write met: DynamoDB sends it with the refusal (`ALL_OLD`); stand-ins may not. */
  private async storedAfterRefusal(id: string, error: unknown): Promise<Item | undefined> {
    return itemSentWithRefusal(error) ?? (await this.read(id));
  }

  private async read(id: string): Promise<Item | undefined> {
    const output = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: todoKey(id), ConsistentRead: true }),
    );
    return output.Item;
  }
}

/**
 * Why a conditional write of todo `id` was refused, from the item it met (`stored`, none when the todo is
 * missing). Without an expected version the condition was only that the todo exists; with one, a todo still
 * there is at another version.
 */
function missOf(
  id: string,
  expectedVersion: number | undefined,
  stored: Item | undefined,
  cause: unknown,
): Error {
  if (expectedVersion === undefined || stored === undefined) return new TodoNotFoundError(id, { cause });
  return new VersionConflictError(id, expectedVersion, { cause });
}

/** Whether `stored` is the item of exactly `todo`. */
function isStoredAs(stored: Item | undefined, todo: Todo): boolean {
  return stored !== undefined && sameItem(stored, todoToItem(todo));
}

/** Whether two todo items hold the same attributes with the same values (their values are flat: S, N, BOOL, NULL). */
function sameItem(a: Item, b: Item): boolean {
  const names = Object.keys(a);
  return (
    names.length === Object.keys(b).length &&
    names.every((name) => JSON.stringify(a[name]) === JSON.stringify(b[name]))
  );
}
