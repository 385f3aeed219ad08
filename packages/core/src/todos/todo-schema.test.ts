import { describe, expect, it } from "vitest";
import { readTodoRow } from "../csv-import/todo-row.js";
import { parseTodoRow, todoRowSchema } from "../csv-import/todo-row-schema.js";
import { ValidationError } from "../shared/errors.js";
import { todoSchemas } from "./todo-schema.js";

const { newTodo: newTodoSchema, patch: todoPatchSchema } = todoSchemas();

import { validate } from "./validate.js";

const issuesOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error("expected a ValidationError");
};

describe("the todo schemas", () => {
  it("trims the task and normalises the due date", () => {
    expect(validate(newTodoSchema, { task: "  buy milk ", dueDate: "01-11-2017" })).toEqual({
      task: "buy milk",
      dueDate: "2017-11-01",
    });
  });

  it("accepts a task of 500 characters and refuses 501", () => {
    expect(validate(newTodoSchema, { task: "x".repeat(500) }).task).toHaveLength(500);
    expect(issuesOf(() => validate(newTodoSchema, { task: "x".repeat(501) }))).toEqual([
      { path: ["task"], message: "must be at most 500 characters" },
    ]);
  });

  it("says that a task of blanks only is empty, and how to write a due date it cannot read", () => {
    expect(issuesOf(() => validate(newTodoSchema, { task: "   ", dueDate: "2023-02-29" }))).toEqual([
      { path: ["task"], message: "must not be empty" },
      { path: ["dueDate"], message: "must be a real date written YYYY-MM-DD or DD-MM-YYYY" },
    ]);
  });

  it("reads a due date with blanks around it, and one of blanks only as none", () => {
    expect(validate(newTodoSchema, { task: "t", dueDate: " 01-11-2017 " }).dueDate).toBe("2017-11-01");
    expect(validate(newTodoSchema, { task: "t", dueDate: "  " }).dueDate).toBeNull();
  });

  it.each([
    "line\nbreak",
    "tab\there",
    "nul\u0000",
    "bell\u0007",
    "c1\u0085",
    "line\u2028sep",
    "para\u2029sep",
    "right-to-left override \u202eevil",
    "left-to-right embedding \u202aa",
    "first strong isolate \u2068a\u2069",
  ])("refuses control characters, line breaks and direction overrides in %j", (task) => {
    expect(issuesOf(() => validate(newTodoSchema, { task }))).toEqual([
      {
        path: ["task"],
        message: "must not contain control characters, line breaks or text-direction overrides",
      },
    ]);
  });

  it.each([
    "Hebrew \u05e9\u05dc\u05d5\u05dd with a right-to-left mark\u200f!",
    "Arabic \u0645\u0631\u062d\u0628\u0627 with a letter mark \u061c",
    "a family \u{1F468}\u200d\u{1F469}\u200d\u{1F467} joined by ZWJ",
    "Persian \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 with a non-joiner",
  ])("accepts direction marks and joiners, which real text needs: %j", (task) => {
    expect(validate(newTodoSchema, { task }).task).toBe(task);
  });

  it.each(["\u200b", "\u2060\u2060", "\u3164", "\u200e\u200f", "\u00ad", "\ufe0f", "\u034f", "\u2800"])(
    "refuses a task or a name of nothing visible (%j)",
    (text) => {
      expect(issuesOf(() => validate(newTodoSchema, { task: text, name: text }))).toEqual([
        { path: ["task"], message: "must contain a visible character" },
        { path: ["name"], message: "must contain a visible character" },
      ]);
    },
  );

  it.each(["lone high \ud800", "lone low \udc00 here", "reversed \udc00\ud800"])(
    "refuses a surrogate without its pair in %j, which UTF-8 cannot store",
    (text) => {
      expect(issuesOf(() => validate(newTodoSchema, { task: text, name: text }))).toEqual([
        { path: ["task"], message: "must be well-formed Unicode (a surrogate without its pair)" },
        { path: ["name"], message: "must be well-formed Unicode (a surrogate without its pair)" },
      ]);
    },
  );

  it("refuses a task or a name holding U+FFFD, as an import refuses a CSV row holding one", () => {
    const text = "Pay Ren\ufffd's invoice";
    const message = "must not contain U+FFFD, the character that replaces text lost to a wrong encoding";

    const added = issuesOf(() => validate(newTodoSchema, { task: text, name: text }));
    const patched = issuesOf(() => validate(todoPatchSchema, { task: text, name: text }));
    const imported = readTodoRow(
      { fields: [text, text], line: 2 },
      { width: 2, task: 0, name: 1, dueDate: -1, checked: -1 },
    );

    expect(added).toEqual([
      { path: ["task"], message },
      { path: ["name"], message },
    ]);
    expect(patched).toEqual(added);
    expect(imported.kind).toBe("rejected");
  });

  it("accepts characters outside the BMP, whose surrogates come in pairs", () => {
    expect(validate(newTodoSchema, { task: "ship it \u{1F680}" }).task).toBe("ship it \u{1F680}");
  });

  it("reports a missing task as required and each unknown field at its own path", () => {
    const issues = issuesOf(() => validate(newTodoSchema, { owner: "x", admin: true }));

    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ["task"], message: "is required" },
        { path: ["owner"], message: "is not a known field" },
        { path: ["admin"], message: "is not a known field" },
      ]),
    );
  });

  it("refuses a name over 100 characters and turns an empty one into null", () => {
    expect(issuesOf(() => validate(newTodoSchema, { task: "t", name: "n".repeat(101) }))).toEqual([
      { path: ["name"], message: "must be at most 100 characters" },
    ]);
    expect(validate(newTodoSchema, { task: "t", name: "  " }).name).toBeNull();
  });

  it("refuses a patch that changes nothing", () => {
    for (const patch of [{}, { version: 2 }]) {
      expect(issuesOf(() => validate(todoPatchSchema, patch))).toEqual([
        { path: [], message: "must change at least one field" },
      ]);
    }
  });

  it.each([
    [0, "must be at least 1"],
    [1.5, "must be a whole number"],
    [2 ** 53, "must be a whole number from 1 to 2^53 - 1"],
    ["2", "must be a number"],
  ])("refuses a patch's version %j: it %s", (version, message) => {
    expect(issuesOf(() => validate(todoPatchSchema, { task: "t", version }))).toEqual([
      { path: ["version"], message },
    ]);
  });

  it.each([
    ["", false],
    ["TRUE", true],
    ["no", false],
    ["False", false],
    ["0", false],
    ["x", true],
    ["1", true],
  ])("reads a CSV checked value %j as %s", (checked, expected) => {
    expect(validate(todoRowSchema, { task: "t", checked }).checked).toBe(expected);
  });

  it("refuses a CSV checked value it cannot read", () => {
    expect(issuesOf(() => validate(todoRowSchema, { task: "t", checked: "maybe" }))).toEqual([
      { path: ["checked"], message: "must be true/false, yes/no, 1/0, x or empty" },
    ]);
  });

  it.each([
    { task: " buy milk ", name: " Jane ", dueDate: "01-11-2017", checked: "yes" },
    { task: "t", name: "", dueDate: "", checked: "" },
    { task: "t", name: undefined, dueDate: undefined, checked: undefined },
    { task: undefined, name: "x".repeat(101), dueDate: "31-02-2017", checked: "maybe" },
    { task: "   ", name: "bell\u0007", dueDate: "2017-13-01", checked: "no" },
  ])("checks a CSV row field by field exactly as todoRowSchema does: %j", (row) => {
    const whole = todoRowSchema.safeParse(row);
    const byField = parseTodoRow(row);
    expect(byField.success).toBe(whole.success);
    if (byField.success) expect(byField.data).toEqual(whole.data);
    else expect(byField.issues).toEqual(issuesOf(() => validate(todoRowSchema, row)));
  });
});
