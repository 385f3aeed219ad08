import { AppError } from "../shared/errors.js";

export class TodoNotFoundError extends AppError {
  override readonly name: string = "TodoNotFoundError";
  readonly code = "TODO_NOT_FOUND";

  constructor(
    readonly id: string,
    options?: { cause?: unknown },
  ) {
    super(`Todo ${id} was not found.`, options);
  }
}

export class TodoAlreadyExistsError extends AppError {
  override readonly name: string = "TodoAlreadyExistsError";
  readonly code = "TODO_ALREADY_EXISTS";

  constructor(
    readonly id: string,
    options?: { cause?: unknown },
  ) {
    super(`Todo ${id} already exists.`, options);
  }
}

/** The todo changed since the caller read it: its version is not the one expected (HTTP 412). */
export class VersionConflictError extends AppError {
  override readonly name: string = "VersionConflictError";
  readonly code = "VERSION_CONFLICT";

  /** `expected`: the version the caller expected, or the versions any of which it would accept. */
  constructor(
    readonly id: string,
    readonly expected: number | readonly number[],
    options?: { cause?: unknown },
  ) {
    super(`Todo ${id} is not at ${describeVersions(expected)}.`, options);
  }
}

/**
 * The todo is at a version an `If-None-Match` names, or exists at all for `*` (HTTP 412, as a stale version is):
 * the caller asked for the change only if the todo is no longer, or not yet, what it has.
 */
export class VersionRefusedError extends VersionConflictError {
  override readonly name: string = "VersionRefusedError";
  /** `version`: the todo's; `anyVersion`: the header was `*`, which refuses a todo that exists at all. */
  constructor(id: string, version: number, anyVersion: boolean) {
    super(id, []);
    this.message = anyVersion
      ? `Todo ${id} exists, and If-None-Match: * asks that it not.`
      : `Todo ${id} is at version ${version}, which the If-None-Match header names.`;
  }
}

/** An id that cannot name a todo (not a UUID). */
export class InvalidTodoIdError extends AppError {
  override readonly name: string = "InvalidTodoIdError";
  readonly code = "INVALID_ID";

  constructor() {
    super("A todo id is a UUID.");
  }
}

function describeVersions(expected: number | readonly number[]): string {
  if (typeof expected === "number") return `version ${expected}`;
  if (expected.length === 0) return "a version the If-Match header names (it names none we issued)";
  return expected.length === 1 ? `version ${expected[0]}` : `any of versions ${expected.join(", ")}`;
}
