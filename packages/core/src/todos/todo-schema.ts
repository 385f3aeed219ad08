import { z } from "zod";
import { type FieldIssue, ValidationError } from "../shared/errors.js";
import { parseDueDate } from "./due-date.js";
import { CONTROL_CHARACTERS, NAME_MAX_LENGTH, TASK_MAX_LENGTH } from "./text-rules.js";
import type { NewTodo, TodoPatch } from "./todo.js";

const taskSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(TASK_MAX_LENGTH, `must be at most ${TASK_MAX_LENGTH} characters`)
  .refine((text) => !CONTROL_CHARACTERS.test(text), "must not contain control characters");

const nameSchema = z
  .string()
  .trim()
  .max(NAME_MAX_LENGTH, `must be at most ${NAME_MAX_LENGTH} characters`)
  .refine((text) => !CONTROL_CHARACTERS.test(text), "must not contain control characters")
  // An empty name means "for nobody in particular".
  .transform((text) => (text === "" ? null : text));

const dueDateSchema = z.string().transform((text, context) => {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const date = parseDueDate(trimmed);
  if (date === undefined) {
    context.addIssue({ code: "custom", message: "must be a real date written YYYY-MM-DD or DD-MM-YYYY" });
    return z.NEVER;
  }
  return date;
});

/** A new todo; unknown fields are rejected, not ignored (no mass assignment). */
export const newTodoSchema = z.strictObject({
  task: taskSchema,
  name: nameSchema.nullish(),
  dueDate: dueDateSchema.nullish(),
  checked: z.boolean().optional(),
});

/** A partial update, optionally carrying the `version` it expects (the body's alternative to `If-Match`). */
export const todoPatchSchema = z
  .strictObject({
    task: taskSchema.optional(),
    name: nameSchema.nullable().optional(),
    dueDate: dueDateSchema.nullable().optional(),
    checked: z.boolean().optional(),
    version: z.int().positive().optional(),
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== "version"), "must change at least one field");

/** A CSV row's fields, all text: `checked` accepts true/false, yes/no, 1/0, x or empty. */
export const todoRowSchema = z.object({
  task: taskSchema,
  name: nameSchema.optional(),
  dueDate: dueDateSchema.optional(),
  checked: z
    .string()
    .optional()
    .transform((text, context) => {
      const value = (text ?? "").trim().toLowerCase();
      if (value === "" || value === "false" || value === "no" || value === "0") return false;
      if (value === "true" || value === "yes" || value === "1" || value === "x") return true;
      context.addIssue({ code: "custom", message: "must be true/false, yes/no, 1/0, x or empty" });
      return z.NEVER;
    }),
});

/** Validates untrusted input against a schema, throwing core's `ValidationError` with field paths. */
export function validate<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error));
}

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
    // One issue per unknown field, so each is reported at its own path.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...path, key], message: "is not a known field" }));
    }
    if (issue.code === "invalid_type" && issue.input === undefined) return [{ path, message: "is required" }];
    return [{ path, message: issue.message }];
  });
}

export type ValidNewTodo = z.output<typeof newTodoSchema> & NewTodo;
export type ValidTodoPatch = z.output<typeof todoPatchSchema> & TodoPatch;
