// zod/mini, not zod: the same validator, but tree-shakable, so a function bundles only the checks it uses.
// The classic `z` object weighed 444 KiB minified in every Lambda bundle (measured with esbuild's metafile).
import * as z from "zod/mini";
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

export const taskSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, "must not be empty"),
    z.maxLength(TASK_MAX_LENGTH, `must be at most ${TASK_MAX_LENGTH} characters`),
    printable,
    wellFormed,
    visible,
  );

export const nameSchema = z.pipe(
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

export const dueDateSchema = z.pipe(
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
