// zod/mini, not zod: the same validator, but tree-shakable, so a function bundles only the checks it uses.
// The classic `z` object weighed 444 KiB minified in every Lambda bundle (measured with esbuild's metafile).
import * as z from "zod/mini";
import { type FieldIssue, ValidationError } from "../shared/errors.js";
import { parseDueDate } from "./due-date.js";
import {
  CONTROL_CHARACTERS,
  LONE_SURROGATE,
  NAME_MAX_LENGTH,
  TASK_MAX_LENGTH,
  VISIBLE_CHARACTER,
} from "./text-rules.js";

const printable = z.refine<string>(
  (text) => !CONTROL_CHARACTERS.test(text),
  "must not contain control characters, line breaks or text-direction overrides",
);

// Empty text is left to the other checks (a task must not be empty; an empty name means none).
const visible = z.refine<string>(
  (text) => text === "" || VISIBLE_CHARACTER.test(text),
  "must contain a visible character",
);

const wellFormed = z.refine<string>(
  (text) => !LONE_SURROGATE.test(text),
  "must be well-formed Unicode (a surrogate without its pair)",
);

const taskSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, "must not be empty"),
    z.maxLength(TASK_MAX_LENGTH, `must be at most ${TASK_MAX_LENGTH} characters`),
    printable,
    wellFormed,
    visible,
  );

const nameSchema = z.pipe(
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(NAME_MAX_LENGTH, `must be at most ${NAME_MAX_LENGTH} characters`),
      printable,
      wellFormed,
      visible,
    ),
  // An empty name means "for nobody in particular".
  z.transform((text: string) => (text === "" ? null : text)),
);

const dueDateSchema = z.pipe(
  z.string(),
  z.transform((text: string, context) => {
    const trimmed = text.trim();
    if (trimmed === "") return null;
    const date = parseDueDate(trimmed);
    if (date === undefined) {
      context.issues.push({
        code: "custom",
        input: text,
        message: "must be a real date written YYYY-MM-DD or DD-MM-YYYY",
      });
      return z.NEVER;
    }
    return date;
  }),
);

/** A new todo; unknown fields are rejected, not ignored (no mass assignment). */
export const newTodoSchema = z.strictObject({
  task: taskSchema,
  name: z.nullish(nameSchema),
  dueDate: z.nullish(dueDateSchema),
  checked: z.optional(z.boolean()),
});

/** A partial update, optionally carrying the `version` it expects (the body's alternative to `If-Match`). */
export const todoPatchSchema = z
  .strictObject({
    task: z.optional(taskSchema),
    name: z.optional(z.nullable(nameSchema)),
    dueDate: z.optional(z.nullable(dueDateSchema)),
    checked: z.optional(z.boolean()),
    // The messages are given: zod/mini's own are "Invalid input". Above 2^53 a version is no safe integer.
    version: z.optional(
      z.int("must be a whole number from 1 to 2^53 - 1").check(z.positive("must be at least 1")),
    ),
  })
  .check(
    z.refine(
      (patch) => Object.keys(patch).some((key) => key !== "version"),
      "must change at least one field",
    ),
  );

const CHECKED_TRUE = new Set(["true", "yes", "1", "x"]);
const CHECKED_FALSE = new Set(["", "false", "no", "0"]);

/** The schema of each field of a CSV row, all text: `checked` accepts true/false, yes/no, 1/0, x or empty. */
const todoRowFields = {
  task: taskSchema,
  name: z.optional(nameSchema),
  dueDate: z.optional(dueDateSchema),
  checked: z.pipe(
    z.optional(z.string()),
    z.transform((text: string | undefined, context) => {
      const value = (text ?? "").trim().toLowerCase();
      if (CHECKED_FALSE.has(value)) return false;
      if (CHECKED_TRUE.has(value)) return true;
      context.issues.push({
        code: "custom",
        input: text,
        message: "must be true/false, yes/no, 1/0, x or empty",
      });
      return z.NEVER;
    }),
  ),
};

/** A CSV row's fields, all text, as one schema. */
export const todoRowSchema = z.object(todoRowFields);

/** A CSV row's fields as `todoRowSchema` outputs them. */
export type TodoRowFields = z.output<typeof todoRowSchema>;

/**
 * A CSV row checked field by field against `todoRowSchema`'s own field schemas: the same rules, the same
 * issues in the same order, at half the cost. zod/mini's object parser costs as much again as the four
 * fields it holds (1.53 against 0.78 µs a row, measured), and an import runs it a million times a file.
 */
export function parseTodoRow(input: {
  task: string | undefined;
  name: string | undefined;
  dueDate: string | undefined;
  checked: string | undefined;
}): { success: true; data: TodoRowFields } | { success: false; issues: FieldIssue[] } {
  const task = todoRowFields.task.safeParse(input.task);
  const name = todoRowFields.name.safeParse(input.name);
  const dueDate = todoRowFields.dueDate.safeParse(input.dueDate);
  const checked = todoRowFields.checked.safeParse(input.checked);
  if (task.success && name.success && dueDate.success && checked.success) {
    return {
      success: true,
      data: { task: task.data, name: name.data, dueDate: dueDate.data, checked: checked.data },
    };
  }
  const issues: FieldIssue[] = [];
  const results = { task, name, dueDate, checked };
  for (const field of ["task", "name", "dueDate", "checked"] as const) {
    const result = results[field];
    if (result.success) continue;
    for (const issue of toFieldIssues(result.error)) issues.push({ ...issue, path: [field, ...issue.path] });
  }
  return { success: false, issues };
}

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
