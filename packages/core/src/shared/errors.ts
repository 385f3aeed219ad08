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

/** The issues a `ValidationError` keeps: an input with thousands of unknown fields gets an answer of this size. */
export const MAX_FIELD_ISSUES = 20;

/**
 * Input that is well-formed but breaks the schema (HTTP 422). Keeps the first `MAX_FIELD_ISSUES` issues:
 * listing every one made a body of unknown fields answer ten times its own size. A caller that found more than
 * it built (`validate` builds no more than it keeps) gives their number as `issueCount`.
 */
export class ValidationError extends AppError {
  override readonly name: string = "ValidationError";
  readonly code = "VALIDATION_FAILED";
  readonly issues: FieldIssue[];
  /** How many issues were found in all; more than `issues` holds when it was cut short. */
  readonly issueCount: number;

  constructor(
    issues: FieldIssue[],
    { issueCount: found = 0, ...options }: { cause?: unknown; issueCount?: number } = {},
  ) {
    const kept = issues.slice(0, MAX_FIELD_ISSUES);
    const issueCount = Math.max(found, issues.length);
    const more = issueCount - kept.length;
    super(
      `Invalid input: ${kept.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ")}` +
        (more > 0 ? `; and ${more} more` : ""),
      options,
    );
    this.issues = kept;
    this.issueCount = issueCount;
  }
}

/** A cursor that was not issued by this service, was altered, or was signed with another secret (HTTP 400). */
export class InvalidCursorError extends AppError {
  override readonly name: string = "InvalidCursorError";
  readonly code = "INVALID_CURSOR";

  constructor(options?: { cause?: unknown }) {
    super("The cursor is not valid.", options);
  }
}

/** A store is unreachable or failed in a way that is not the caller's fault (HTTP 503). */
export class StoreUnavailableError extends AppError {
  override readonly name: string = "StoreUnavailableError";
  readonly code = "STORE_UNAVAILABLE";
}
