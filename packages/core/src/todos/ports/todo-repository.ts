import type { Todo } from "../todo.js";

/** One page of a listing. `nextCursor` is the store's own position token; absent on the last page. */
export interface TodoPage {
  items: Todo[];
  nextCursor?: string;
}

export interface ListOptions {
  /** 1 to 100. */
  limit: number;
  /** A `nextCursor` this repository returned before. */
  cursor?: string;
}

export interface PutManyFailure {
  id: string;
  reason: string;
}

export interface PutManyOptions {
  /**
   * Leave an item whose id is already stored as it is (it counts as written): a retried import writes only
   * what its earlier attempt did not, and undoes no edit made since to what that attempt wrote.
   */
  keepExisting?: boolean;
  /**
   * Aborted when the caller gives up (a function's time limit is close): a store that retries or waits stops
   * doing so, and reports what it has not confirmed written as failed. A store that writes at once may ignore it.
   */
  signal?: AbortSignal;
}

export interface PutManyResult {
  /** The items that could not be written after the store's retries; every other item was written. */
  failed: PutManyFailure[];
}

/**
 * Where todos live. Implemented once per store (memory, SQLite and DynamoDB; Azure Table and Firestore to
 * come) and held to the same contract suite (`test/contracts/todo-repository.contract.ts`).
 *
 * Designed against the three clouds: `putMany` is not atomic (DynamoDB `BatchWriteItem` takes ≤ 25 items,
 * Azure Table batches hold ≤ 100 entities of one partition, Firestore's `BulkWriter` paces itself), so it
 * reports failures per item; list cursors are whatever the store pages with (`LastEvaluatedKey`, a
 * continuation token, a `startAfter` document id) serialised to a string.
 */
export interface TodoRepository {
  /** How many items one `putMany` call should carry for this store to write them efficiently. */
  readonly preferredBatchSize: number;
  /** Inserts; throws `TodoAlreadyExistsError` when the id is taken. */
  create(todo: Todo): Promise<void>;
  get(id: string): Promise<Todo | undefined>;
  /**
   * A page in a stable order: following `nextCursor` from the first page visits every todo that existed
   * throughout, and kept its `createdAt`, exactly once. A store may page by `createdAt` (memory and SQLite do):
   * a todo written anew with another one meanwhile may be missed, or visited twice. No caller does that: an
   * update keeps it, and an import's retries write the first attempt's. Throws `InvalidCursorError` for a
   * cursor it cannot read.
   */
  list(options: ListOptions): Promise<TodoPage>;
  /**
   * Replaces the stored todo with `todo` when the stored version is `expectedVersion`; throws
   * `TodoNotFoundError` or `VersionConflictError` otherwise.
   */
  update(todo: Todo, expectedVersion: number): Promise<void>;
  /** Deletes (when at `expectedVersion`, if given); throws `TodoNotFoundError` or `VersionConflictError`. */
  delete(id: string, expectedVersion?: number): Promise<void>;
  /**
   * Idempotent batch upsert: writes every item whatever is stored under its id (or, with `keepExisting`, only
   * the items whose id is free), retrying what the store throttles, and reports the items that still failed.
   * Items must have distinct ids. Throws (rather than reporting every item) when the store as a whole is
   * unavailable.
   */
  putMany(todos: readonly Todo[], options?: PutManyOptions): Promise<PutManyResult>;
}

export const TODO_REPOSITORY = Symbol.for("anycloud.TodoRepository");
