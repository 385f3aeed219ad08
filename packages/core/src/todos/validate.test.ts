import { describe, expect, it } from "vitest";
import type * as z from "zod/mini";
import { MAX_FIELD_ISSUES, ValidationError } from "../shared/errors.js";
import { todoSchemas } from "./todo-schema.js";
import { toFieldIssues, validate } from "./validate.js";

/**
 * `schema` as it is, except that the names of unknown fields in its issues count how many of them are read:
 * every field issue built reads its name.
 */
function countingKeyReads<T>(schema: z.ZodMiniType<T>): { schema: z.ZodMiniType<T>; reads: () => number } {
  let reads = 0;
  const counting = {
    safeParse(input: unknown, context?: z.core.ParseContext<z.core.$ZodIssue>) {
      const result = schema.safeParse(input, context);
      for (const issue of result.error?.issues ?? []) {
        if (issue.code !== "unrecognized_keys") continue;
        const keys = issue.keys;
        (issue as { keys: string[] }).keys = new Proxy(keys, {
          get(target, property, receiver) {
            if (typeof property === "string" && /^\d+$/.test(property)) reads++;
            return Reflect.get(target, property, receiver);
          },
        });
      }
      return result;
    },
  } as unknown as z.ZodMiniType<T>;
  return { schema: counting, reads: () => reads };
}

const issuesOf = (run: () => unknown) => validationErrorOf(run).issues;

function validationErrorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("validate", () => {
  const { newTodo, patch } = todoSchemas();
  const unknownFields = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, index) => [`f${index}`, 0]));

  it.each([
    ["a new todo", newTodo, {}],
    ["a patch", patch, { task: "x" }],
  ] as const)(
    "builds no more issues than it keeps for %s of 100,000 unknown fields, and counts them all",
    (_, schema, known) => {
      const { schema: counted, reads } = countingKeyReads(schema as z.ZodMiniType<unknown>);
      const input = { ...known, ...unknownFields(100_000) };

      const error = validationErrorOf(() => validate(counted, input));

      // A new todo's missing task comes first, then the unknown fields in the order they were sent.
      const unknownShown = "task" in known ? MAX_FIELD_ISSUES : MAX_FIELD_ISSUES - 1;
      expect(reads()).toBeLessThanOrEqual(unknownShown);
      expect(error.issues).toHaveLength(MAX_FIELD_ISSUES);
      expect(error.issues.at(-1)).toEqual({
        path: [`f${unknownShown - 1}`],
        message: "is not a known field",
      });
      expect(error.issueCount).toBe(100_000 + ("task" in known ? 0 : 1));
      expect(error.message).toMatch(new RegExp(`; and ${error.issueCount - MAX_FIELD_ISSUES} more$`));
    },
  );

  it("says which type a value must be, with its article", () => {
    expect(issuesOf(() => validate(newTodo, ["a list"]))).toEqual([
      { path: [], message: "must be an object" },
    ]);
    expect(issuesOf(() => validate(newTodo, { task: "t", checked: "yes" }))).toEqual([
      { path: ["checked"], message: "must be a boolean" },
    ]);
  });

  it("builds no more than the first `max` field issues, whatever kind of issue comes after them", () => {
    const error = newTodo.safeParse({ task: 1, checked: "yes", dueDate: 2 }, { reportInput: true }).error!;

    expect(toFieldIssues(error, 1)).toEqual([{ path: ["task"], message: "must be a string" }]);
    expect(toFieldIssues(error, 2)).toHaveLength(2);
    expect(toFieldIssues(error)).toHaveLength(3);
  });

  it("lists every issue of an input with fewer than the cap, and says of no more", () => {
    const error = validationErrorOf(() => validate(newTodo, { task: 1, ...unknownFields(3) }));

    expect(error.issues).toEqual([
      { path: ["task"], message: "must be a string" },
      { path: ["f0"], message: "is not a known field" },
      { path: ["f1"], message: "is not a known field" },
      { path: ["f2"], message: "is not a known field" },
    ]);
    expect(error.issueCount).toBe(4);
    expect(error.message).not.toMatch(/more/);
  });
});
