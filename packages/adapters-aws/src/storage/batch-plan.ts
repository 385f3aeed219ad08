import type { PutManyFailure, Todo } from "@anycloud/core";
import { type Item, itemBytes, MAX_ITEM_BYTES } from "./attribute-values.js";
import { todoToItem } from "./todo-item.js";

/** BatchWriteItem takes at most 25 requests per call. */
export const MAX_BATCH_ITEMS = 25;

/**
 * BatchWriteItem's other limit: 16 MB "over the network" (AWS's API reference; DynamoDB's MB is 1,048,576 bytes),
 * measured on the request as sent, in DynamoDB's JSON, where a stored byte may take six (a control character,
 * `\u0001`) or two (`"`, `\`). 25 items under the 400 KB item limit can be over it, and the whole call is then
 * refused (DynamoDB Local: 413 past 16,777,216 bytes of body), which the writer can only throw.
 */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

// What a request holds besides its puts: {"RequestItems":{"<table name, at most 255 bytes>":[...]}}.
const REQUEST_FRAMING_BYTES = 1024;

// A put whose bound is at most this cannot, with 24 others, fill a request: it is not measured exactly.
const SMALL_PUT_BYTES = Math.floor((MAX_BATCH_BYTES - REQUEST_FRAMING_BYTES) / MAX_BATCH_ITEMS);

/** One todo on its way to the table, marshalled once. */
export interface PendingPut {
  id: string;
  item: Item;
  /** The item's size as DynamoDB counts it (`itemBytes`). */
  bytes: number;
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
  let batchBytes = REQUEST_FRAMING_BYTES;
  for (const [index, todo] of todos.entries()) {
    if (lastIndexOf.get(todo.id) !== index) continue;
    const put = pendingPutOf(todo);
    if ("reason" in put) {
      failed.push(put);
      continue;
    }
    const bytes = requestBytesOf(put);
    if (batch.length === MAX_BATCH_ITEMS || batchBytes + bytes > MAX_BATCH_BYTES) {
      batches.push(batch);
      batch = [];
      batchBytes = REQUEST_FRAMING_BYTES;
    }
    batch.push(put);
    batchBytes += bytes;
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
  const bytes = itemBytes(item);
  return bytes > MAX_ITEM_BYTES ? { id, reason: TODO_TOO_LARGE } : { id, item, bytes };
}

/**
 * The bytes `put` adds to a BatchWriteItem request, or more. Its bound first: each attribute's JSON,
 * `"name":{"S":"value"},`, is at most six times the bytes `itemBytes` counts for it plus 12, and the put's own
 * framing, `{"PutRequest":{"Item":{...}}},`, 27. Measured exactly only when that bound is large, which a todo of
 * a few KB never is.
 */
function requestBytesOf({ item, bytes }: PendingPut): number {
  const bound = 6 * bytes + 12 * Object.keys(item).length + 27;
  if (bound <= SMALL_PUT_BYTES) return bound;
  return Buffer.byteLength(JSON.stringify({ PutRequest: { Item: item } }), "utf8") + 1;
}
