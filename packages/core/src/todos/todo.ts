import { InvalidTodoIdError } from "./errors.js";

/**
 * A todo as stored and as served. Compatible with the workshop's item (`id`, `task`, `name`, `dueDate`,
 * `checked`, `createdAt`), with ISO timestamps, an `updatedAt`, and a `version` for optimistic concurrency.
 */
export interface Todo {
  /** A UUID: random for todos created over HTTP, derived from the source row for imported ones. */
  id: string;
  task: string;
  /** The person the todo is for. */
  name: string | null;
  /** A calendar date, `YYYY-MM-DD`. */
  dueDate: string | null;
  checked: boolean;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** ISO 8601 UTC. */
  updatedAt: string;
  /** Starts at 1; every update increments it. Served as the `ETag`. */
  version: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Todo ids are UUIDs; anything else is rejected before it reaches a store. */
export function isTodoId(value: string): boolean {
  return UUID.test(value);
}

/**
 * The id stores keep for a todo named `value`: the UUID in lower case, as ids are made. UUID text is read
 * case-insensitively (RFC 9562) and stores compare ids byte for byte, so `CB97...` must find `cb97...`.
 * Throws `InvalidTodoIdError` for what is no UUID.
 */
export function todoIdOf(value: string): string {
  if (!isTodoId(value)) throw new InvalidTodoIdError();
  return value.toLowerCase();
}

/**
 * The preconditions of a read, an update or a delete: the versions an `If-Match` accepts (none: it cannot hold),
 * and those an `If-None-Match` refuses (`"*"`: any, so that the todo must not exist).
 */
export interface VersionPreconditions {
  acceptedVersions?: readonly number[];
  refusedVersions?: readonly number[] | "*";
}

/** Whether a todo at `version` is one an `If-None-Match` refuses. */
export function isRefusedVersion(version: number, refused: VersionPreconditions["refusedVersions"]): boolean {
  return refused === "*" || (refused?.includes(version) ?? false);
}
