import type * as z from "zod/mini";
import { type FieldIssue, MAX_FIELD_ISSUES, ValidationError } from "../shared/errors.js";

/**
 * Zod leaves the offending value out of its issues unless asked; `toFieldIssues` needs it to tell a missing
 * field ("is required") from one of the wrong type ("must be a string").
 */
const REPORT_INPUT = { reportInput: true } as const;

/** Validates untrusted input against a schema, throwing core's `ValidationError` with field paths. */
export function validate<T>(schema: z.ZodMiniType<T>, input: unknown): T {
  const result = schema.safeParse(input, REPORT_INPUT);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error, MAX_FIELD_ISSUES), {
    issueCount: fieldIssueCount(result.error),
  });
}

/**
 * Zod's issues as core's field issues, the first `max` of them, with messages of our own for the built-in checks
 * (zod/mini carries no message locale, and our wording should not change with zod's). A wrong type reads as
 * "is required" unless the issue carries its input (`reportInput`, as `validate` asks); CSV fields are text or
 * absent, so theirs is always the missing case.
 *
 * Only the first `max` are built: zod reports a body's unknown fields in one issue, and building a field issue
 * for each of them, to keep 20, made some 35 MB of issues per MB of body (a 10 MiB body of short unknown
 * names, 1.2 million of them, built 313 MB).
 */
export function toFieldIssues(error: z.core.$ZodError, max = Number.POSITIVE_INFINITY): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issues.length >= max) break;
    for (const fieldIssue of fieldIssuesOf(issue, max - issues.length)) issues.push(fieldIssue);
  }
  return issues;
}

/** How many field issues `toFieldIssues` finds in all, without building them. */
export function fieldIssueCount(error: z.core.$ZodError): number {
  let count = 0;
  for (const issue of error.issues) count += issue.code === "unrecognized_keys" ? issue.keys.length : 1;
  return count;
}

/** The field issues of one zod issue, at most `max` of them. */
function fieldIssuesOf(issue: z.core.$ZodIssue, max: number): FieldIssue[] {
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  switch (issue.code) {
    // One issue per unknown field, so each is reported at its own path.
    case "unrecognized_keys":
      return issue.keys
        .slice(0, max)
        .map((key) => ({ path: [...path, key], message: "is not a known field" }));
    case "invalid_type":
      return [
        { path, message: issue.input === undefined ? "is required" : `must be ${article(issue.expected)}` },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

function article(type: string): string {
  if (type === "int") return "a whole number";
  return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}
