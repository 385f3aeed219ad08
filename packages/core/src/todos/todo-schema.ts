// zod/mini, not zod: the same validator, but tree-shakable, so a function bundles only the checks it uses.
// The classic `z` object weighed 444 KiB minified in every Lambda bundle (measured with esbuild's metafile).
import * as z from "zod/mini";
import { parseDueDate } from "./due-date.js";
import {
  CONTROL_CHARACTERS,
  LONE_SURROGATE,
  NAME_MAX_LENGTH,
  REPLACEMENT_CHARACTER,
  TASK_MAX_LENGTH,
  VISIBLE_CHARACTER,
} from "./text-rules.js";

export type TodoSchemas = ReturnType<typeof buildTodoSchemas>;

let built: TodoSchemas | undefined;

/**
 * The todo schemas: `task`, `name` and `dueDate` (a field each, as text arrives), `newTodo` (a new todo; unknown
 * fields are rejected, not ignored: no mass assignment) and `patch` (a partial update, optionally carrying the
 * `version` it expects, the body's alternative to `If-Match`). Built on first use, then kept: zod runs its
 * constructors for every part of every schema, some 3 ms on a cold start's first run (Node 20, measured), and a
 * function that serves a GET never validates a todo.
 */
export function todoSchemas(): TodoSchemas {
  built ??= buildTodoSchemas();
  return built;
}

function buildTodoSchemas() {
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

  const intact = z.refine<string>(
    (text) => !text.includes(REPLACEMENT_CHARACTER),
    "must not contain U+FFFD, the character that replaces text lost to a wrong encoding",
  );

  const task = z
    .string()
    .check(
      z.trim(),
      z.minLength(1, "must not be empty"),
      z.maxLength(TASK_MAX_LENGTH, `must be at most ${TASK_MAX_LENGTH} characters`),
      printable,
      wellFormed,
      intact,
      visible,
    );

  const name = z.pipe(
    z
      .string()
      .check(
        z.trim(),
        z.maxLength(NAME_MAX_LENGTH, `must be at most ${NAME_MAX_LENGTH} characters`),
        printable,
        wellFormed,
        intact,
        visible,
      ),
    // An empty name means "for nobody in particular".
    z.transform((text: string) => (text === "" ? null : text)),
  );

  const dueDate = z.pipe(
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
  const newTodo = z.strictObject({
    task,
    name: z.nullish(name),
    dueDate: z.nullish(dueDate),
    checked: z.optional(z.boolean()),
  });

  /** A partial update, optionally carrying the `version` it expects (the body's alternative to `If-Match`). */
  const patch = z
    .strictObject({
      task: z.optional(task),
      name: z.optional(z.nullable(name)),
      dueDate: z.optional(z.nullable(dueDate)),
      checked: z.optional(z.boolean()),
      // The messages are given: zod/mini's own are "Invalid input". Above 2^53 a version is no safe integer.
      version: z.optional(
        z.int("must be a whole number from 1 to 2^53 - 1").check(z.positive("must be at least 1")),
      ),
    })
    .check(
      z.refine(
        (fields) => Object.keys(fields).some((key) => key !== "version"),
        "must change at least one field",
      ),
    );

  return { task, name, dueDate, newTodo, patch };
}
