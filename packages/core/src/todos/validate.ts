import type * as z from "zod/mini";
import { type FieldIssue, ValidationError } from "../shared/errors.js";

/**
 * Zod leaves the offending value out of its issues unless asked; `toFieldIssues` needs it to tell a missing
 * field ("is required") from one of the wrong type ("must be a string").
 */
const REPORT_INPUT = { reportInput: true } as const;

/** Validates untrusted input against a schema, throwing core's `ValidationError` with field paths. */
export function validate<T>(schema: z.ZodMiniType<T>, input: unknown): T {
  const result = schema.safeParse(input, REPORT_INPUT);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error));
}

/**
 * Zod's issues as core's field issues, with messages of our own for the built-in checks (zod/mini carries no
 * message locale, and our wording should not change with zod's). A wrong type reads as "is required" unless
 * the issue carries its input (`reportInput`, as `validate` asks); CSV fields are text or absent, so theirs
 * is always the missing case.
 */
export function toFieldIssues(error: z.core.$ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
    switch (issue.code) {
      // One issue per unknown field, so each is reported at its own path.
      case "unrecognized_keys":
        return issue.keys.map((key) => ({ path: [...path, key], message: "is not a known field" }));
      case "invalid_type":
        return [
          { path, message: issue.input === undefined ? "is required" : `must be ${article(issue.expected)}` },
        ];
      case "too_small":
        return [{ path, message: issue.message || `must be at least ${issue.minimum}` }];
      default:
        return [{ path, message: issue.message }];
    }
  });
}

function article(type: string): string {
  if (type === "int") return "a whole number";
  return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}
