/**
 * The one base class for errors callers may see. `code` is stable and machine-readable; the HTTP layer maps
 * it to a status in exactly one table (`http/error-responses.ts`). Subclasses live beside their feature.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem with one field of an input, addressed by its path (`["dueDate"]`, `["items", 3, "task"]`). */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

/** Input that is well-formed but breaks the schema (HTTP 422). */
export class ValidationError extends AppError {
  readonly code = "VALIDATION_FAILED";

  constructor(
    readonly issues: FieldIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `Invalid input: ${issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ")}`,
      options,
    );
  }
}

/** A cursor that was not issued by this service, was altered, or has expired (HTTP 400). */
export class InvalidCursorError extends AppError {
  readonly code = "INVALID_CURSOR";

  constructor(options?: { cause?: unknown }) {
    super("The cursor is not valid.", options);
  }
}

/** A store is unreachable or failed in a way that is not the caller's fault (HTTP 503). */
export class StoreUnavailableError extends AppError {
  readonly code = "STORE_UNAVAILABLE";
}
