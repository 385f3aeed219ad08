import { InvalidCursorError } from "../shared/errors.js";
import type { Todo } from "./todo.js";

/**
 * Where a listing stopped, for stores that page in `(createdAt, id)` order (memory, SQLite): todos appear in
 * the order they were created, and the id breaks ties so that no two todos share a position.
 */
export interface ListPosition {
  createdAt: string;
  id: string;
}

export function positionOf(todo: Todo): ListPosition {
  return { createdAt: todo.createdAt, id: todo.id };
}

export function encodePosition(position: ListPosition): string {
  return JSON.stringify([position.createdAt, position.id]);
}

export function decodePosition(cursor: string): ListPosition {
  let value: unknown;
  try {
    value = JSON.parse(cursor);
  } catch (error) {
    throw new InvalidCursorError({ cause: error });
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== "string" ||
    typeof value[1] !== "string"
  ) {
    throw new InvalidCursorError();
  }
  return { createdAt: value[0], id: value[1] };
}

/** Orders todos by creation time, then id. */
export function comparePositions(a: ListPosition, b: ListPosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
