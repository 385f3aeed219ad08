import type { Todo } from "@anycloud/core";
import {
  booleanValue,
  type Item,
  integerValue,
  nullableString,
  readBoolean,
  readInteger,
  readNullableString,
  readString,
  stringValue,
} from "./attribute-values.js";

/** The todo as a DynamoDB item, one attribute per field; throws `TypeError` for a field of the wrong type. */
export function todoToItem(todo: Todo): Item {
  return {
    id: stringValue(todo.id),
    task: stringValue(todo.task),
    name: nullableString(todo.name),
    dueDate: nullableString(todo.dueDate),
    checked: booleanValue(todo.checked),
    createdAt: stringValue(todo.createdAt),
    updatedAt: stringValue(todo.updatedAt),
    version: integerValue(todo.version),
  };
}

export function todoFromItem(item: Item): Todo {
  return {
    id: readString(item, "id"),
    task: readString(item, "task"),
    name: readNullableString(item, "name"),
    dueDate: readNullableString(item, "dueDate"),
    checked: readBoolean(item, "checked"),
    createdAt: readString(item, "createdAt"),
    updatedAt: readString(item, "updatedAt"),
    version: readInteger(item, "version"),
  };
}

/** The table's key of a todo. */
export function todoKey(id: string): Item {
  return { id: { S: id } };
}
