import { AppError } from "../shared/errors.js";

export class TodoNotFoundError extends AppError {
  readonly code = "TODO_NOT_FOUND";

  constructor(readonly id: string) {
    super(`Todo ${id} was not found.`);
  }
}

export class TodoAlreadyExistsError extends AppError {
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
  readonly code = "VERSION_CONFLICT";

  constructor(
    readonly id: string,
    readonly expectedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(`Todo ${id} is not at version ${expectedVersion}.`, options);
  }
}

/** An id that cannot name a todo (not a UUID). */
export class InvalidTodoIdError extends AppError {
  readonly code = "INVALID_ID";

  constructor() {
    super("A todo id is a UUID.");
  }
}
