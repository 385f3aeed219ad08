import type { PutManyFailure, Todo } from "@anycloud/core";
import { type Item, itemBytes, MAX_ITEM_BYTES } from "./attribute-values.js";
import { todoToItem } from "./todo-item.js";

/**
 * BatchWriteItem takes at most 25 requests and 16 MB per call. Items over DynamoDB's 400 KB limit are refused
 * while planning, so 25 of them stay under 10 MB: counting items is enough to respect both limits.
 */
export const MAX_BATCH_ITEMS = 25;

/** One todo on its way to the table, marshalled once. */
export interface PendingPut {
  id: string;
  item: Item;
}

export interface BatchPlan {
  /** Calls to make: each within the limits, and never holding one key twice (DynamoDB refuses that). */
  batches: PendingPut[][];
  /** Todos refused before any call: they would fail whatever the store's state. */
  failed: PutManyFailure[];
}

export const INVALID_TODO = "The todo has a missing or invalid field.";
export const TODO_TOO_LARGE = "The todo is too large to store.";

/**
 * Splits todos into BatchWriteItem calls. Ids are meant to be distinct; should one repeat, its last todo is
 * kept, as writing them one after another would leave it. A todo that cannot be marshalled, or is over
 * DynamoDB's item size limit, is reported here rather than failing the 24 others in its call.
 */
export function planBatches(todos: readonly Todo[]): BatchPlan {
  // A later entry for the same id overwrites an earlier one: the map holds each id's last index.
  const lastIndexOf = new Map(todos.map((todo, index) => [todo.id, index]));

  const batches: PendingPut[][] = [];
  const failed: PutManyFailure[] = [];
  let batch: PendingPut[] = [];
  for (const [index, todo] of todos.entries()) {
    if (lastIndexOf.get(todo.id) !== index) continue;
    const put = pendingPutOf(todo);
    if ("reason" in put) {
      failed.push(put);
      continue;
    }
    if (batch.length === MAX_BATCH_ITEMS) {
      batches.push(batch);
      batch = [];
    }
    batch.push(put);
  }
  if (batch.length > 0) batches.push(batch);
  return { batches, failed };
}

/** DynamoDB's bounds for a string partition key: it refuses a whole call over one key out of them. */
const MAX_KEY_BYTES = 2048;

function pendingPutOf(todo: Todo): PendingPut | PutManyFailure {
  const id = String(todo.id);
  // Refused here, so that it is reported alone, by the read a retry makes as by the write.
  if (id === "" || Buffer.byteLength(id) > MAX_KEY_BYTES) return { id, reason: INVALID_TODO };
  let item: Item;
  try {
    item = todoToItem(todo);
  } catch {
    return { id, reason: INVALID_TODO };
  }
  return itemBytes(item) > MAX_ITEM_BYTES ? { id, reason: TODO_TOO_LARGE } : { id, item };
}
