import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { parseTodoRow } from "../csv-import/todo-row-schema.js";
import { NAME_MAX_LENGTH, TASK_MAX_LENGTH } from "./text-rules.js";
import { todoSchemas } from "./todo-schema.js";

const { name: nameSchema, newTodo: newTodoSchema, task: taskSchema } = todoSchemas();

// The characters the rules are about, each often enough to meet the others: letters, astral ones, white space
// JavaScript trims and some it does not, controls, line breaks, direction overrides and marks, the invisible
// ones (zero-width, fillers, the blank Braille pattern), and surrogate halves on their own.
const LETTERS = [..."ab Z9é€ß中", "\u{1F680}", "\u{1D400}", "\u{20000}"];
const SPACES = [
  " ",
  "\u00a0",
  "\u3000",
  "\u2003",
  "\ufeff",
  "\t",
  "\n",
  "\r",
  "\u2028",
  "\u2029",
  "\u000b",
  "\u000c",
];
const CONTROLS = [
  "\u0000",
  "\u0007",
  "\u001f",
  "\u007f",
  "\u0085",
  "\u009f",
  "\u202a",
  "\u202e",
  "\u2066",
  "\u2069",
];
const INVISIBLE = [
  "\u200b",
  "\u200c",
  "\u200d",
  "\u200e",
  "\u200f",
  "\u061c",
  "\u2060",
  "\u00ad",
  "\u034f",
  "\ufe0f",
  "\u3164",
  "\u115f",
  "\u2800",
  "\u180e",
  "\u{E0041}",
];
const HALVES = ["\ud800", "\udbff", "\udc00", "\udfff"];

const textChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...LETTERS) },
  { weight: 3, arbitrary: fc.constantFrom(...SPACES) },
  { weight: 1, arbitrary: fc.constantFrom(...CONTROLS) },
  { weight: 2, arbitrary: fc.constantFrom(...INVISIBLE) },
  { weight: 1, arbitrary: fc.constantFrom(...HALVES) },
  // What a decoder leaves for bytes it could not read.
  { weight: 1, arbitrary: fc.constant("\ufffd") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);
const text = fc.string({ unit: textChar, maxLength: 12 });

/** The code points of the rules' controls, listed apart from the schema's regular expression. */
function isControl(codePoint: number): boolean {
  return (
    codePoint <= 0x1f ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029 ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

/** How many characters to add to a short text: none, or enough to bring it near `max`. */
const nearLimit = (max: number) => fc.oneof(fc.constant(0), fc.integer({ min: max - 12, max: max + 2 }));

const codePoints = (value: string) => [...value].length;

/** Whether a trimmed text breaks none of the rules but its length, as the README states them. */
function readable(trimmed: string): boolean {
  return (
    // UTF-8 keeps it as it is: no surrogate without its pair.
    Buffer.from(trimmed).toString() === trimmed &&
    // No U+FFFD: such text lost characters to a wrong encoding.
    !trimmed.includes("\ufffd") &&
    ![...trimmed].some((char) => isControl(char.codePointAt(0)!)) &&
    /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/u.test(trimmed)
  );
}

describe("the todo text rules, on generated text", () => {
  it("accept a task exactly when its trimmed text has 1-500 characters and breaks no rule", () => {
    fc.assert(
      fc.property(text, nearLimit(TASK_MAX_LENGTH), fc.constantFrom("a", "\u{1F680}"), (task, fill, unit) => {
        // Near the limit, in one- and two-unit characters: the limit counts characters (code points).
        const input = `${task}${unit.repeat(fill)}`;
        const trimmed = input.trim();
        const expected = trimmed !== "" && codePoints(trimmed) <= TASK_MAX_LENGTH && readable(trimmed);

        const result = taskSchema.safeParse(input);

        expect(result.success).toBe(expected);
        if (result.success) expect(result.data).toBe(trimmed);
      }),
      propertyRuns(3000),
    );
  });

  it("accept a name exactly when its trimmed text has at most 100 characters and breaks no rule", () => {
    fc.assert(
      fc.property(text, nearLimit(NAME_MAX_LENGTH), fc.constantFrom("a", "\u{1F680}"), (name, fill, unit) => {
        const input = `${name}${unit.repeat(fill)}`;
        const trimmed = input.trim();
        const expected = trimmed === "" || (codePoints(trimmed) <= NAME_MAX_LENGTH && readable(trimmed));

        const result = nameSchema.safeParse(input);

        expect(result.success).toBe(expected);
        if (result.success) expect(result.data).toBe(trimmed === "" ? null : trimmed);
      }),
      propertyRuns(3000),
    );
  });

  it("give back a new todo that validates to itself (validation is idempotent)", () => {
    const input = fc.record(
      {
        task: text,
        name: fc.option(text, { nil: null }),
        dueDate: fc.option(fc.oneof(text, fc.constantFrom(" 01-11-2017", "2024-02-29\t", "29-02-2023")), {
          nil: null,
        }),
        checked: fc.boolean(),
      },
      { requiredKeys: ["task"] },
    );
    fc.assert(
      fc.property(input, (todo) => {
        const first = newTodoSchema.safeParse(todo);
        if (!first.success) return;

        expect(newTodoSchema.safeParse(first.data)).toEqual({ success: true, data: first.data });
      }),
      propertyRuns(3000),
    );
  });

  it("read a CSV row's task, name and due date as the API reads them", () => {
    fc.assert(
      fc.property(
        text,
        text,
        fc.oneof(text, fc.constantFrom("01-11-2017", " 2024-02-29 ")),
        (task, name, dueDate) => {
          const api = newTodoSchema.safeParse({ task, name, dueDate });
          const csv = parseTodoRow({ task, name, dueDate, checked: undefined });

          expect(csv.success).toBe(api.success);
          if (csv.success && api.success) {
            expect(csv.data).toEqual({
              task: api.data.task,
              name: api.data.name,
              dueDate: api.data.dueDate,
              checked: false,
            });
          }
        },
      ),
      propertyRuns(3000),
    );
  });
});
