import { describe, expect, it } from "vitest";
import { CONTROL_CHARACTERS } from "../todos/text-rules.js";
import { readImportHeader } from "./import-header.js";

describe("readImportHeader", () => {
  it("finds the workshop's columns", () => {
    expect(readImportHeader(["task", "name", "dueDate"])).toEqual({
      width: 3,
      task: 0,
      name: 1,
      dueDate: 2,
      checked: -1,
    });
  });

  it("matches names trimmed and in any case, in any order, and ignores other columns", () => {
    expect(readImportHeader([" DUEDATE", "Notes", "Checked ", "TASK", "priority"])).toEqual({
      width: 5,
      task: 3,
      name: -1,
      dueDate: 0,
      checked: 2,
    });
  });

  it("matches names written with spaces, underscores or hyphens", () => {
    expect(readImportHeader(["Task", "Due Date", "NAME", "is_checked", "checked "])).toMatchObject({
      task: 0,
      dueDate: 1,
      name: 2,
      checked: 4,
    });
    expect(readImportHeader(["task", "due_date"])).toMatchObject({ dueDate: 1 });
    expect(readImportHeader(["task", "due-date"])).toMatchObject({ dueDate: 1 });
  });

  it("refuses a header naming one column twice in two spellings", () => {
    expect(readImportHeader(["task", "dueDate", "due date"])).toEqual({
      reason: 'header names the "dueDate" column twice: "dueDate", "due date"',
    });
  });

  it("matches names with the quotes of the other quote character still around them", () => {
    expect(readImportHeader(['"task"', " 'Name' ", '"dueDate'])).toEqual({
      width: 3,
      task: 0,
      name: 1,
      dueDate: -1,
      checked: -1,
    });
  });

  it("refuses a header without a task column", () => {
    expect(readImportHeader(["name", "dueDate"])).toEqual({ reason: 'header must contain a "task" column' });
  });

  it.each([
    ["a semicolon", ["task;name;dueDate"], '";"'],
    ["a tab", ["name\ttask"], '"\\t"'],
  ])("says so when a header without a task column has one separated by %s", (_, fields, separator) => {
    expect(readImportHeader(fields)).toEqual({
      reason: `header must contain a "task" column (the header's names are separated by ${separator}, not commas: save it as "CSV UTF-8 (comma delimited)")`,
    });
  });

  it("says so when the first line is Excel's separator line for commas", () => {
    expect(readImportHeader(["sep=", ""])).toMatchObject({
      reason: expect.stringContaining('the first line, "sep=,", is Excel\'s'),
    });
  });

  it("says so when the first line is Excel's separator line", () => {
    expect(readImportHeader(["sep=;"])).toEqual({
      reason:
        'header must contain a "task" column (the first line, "sep=;", is Excel\'s separator line: save it as "CSV UTF-8 (comma delimited)")',
    });
  });

  it.each([
    [["task", "Task"], 'header names the "task" column twice: "task", "Task"'],
    [["task", "name", " NAME "], 'header names the "name" column twice: "name", "NAME"'],
    [["dueDate", "task", "duedate"], 'header names the "dueDate" column twice: "dueDate", "duedate"'],
  ])("refuses a header that names a known column twice: %j", (fields, reason) => {
    expect(readImportHeader(fields)).toEqual({ reason });
  });

  // The reason is answered, stored in the ledger and logged: a 64 KiB header must not come back whole, six times
  // its size once JSON escapes its vertical tabs.
  it.each([
    ["a long spelling", ["task", `t${"\v".repeat(60_000)}ask`]],
    ["many spellings", Array.from({ length: 10_000 }, () => "task")],
    ["a long separator line", [`sep=${";".repeat(60_000)}`]],
  ])("quotes little of the header in its reason, with %s", (_case, fields) => {
    const { reason } = readImportHeader(fields) as { reason: string };

    expect(reason.length).toBeLessThan(1_000);
  });

  it("says how many more spellings there were, and cuts a long one short", () => {
    expect(readImportHeader(["task", "Task", "TASK", "task ", ` task${"_".repeat(100)}`])).toEqual({
      reason: `header names the "task" column twice: "task", "Task", "TASK" and 2 more`,
    });
    expect(readImportHeader(["Task", `task${"_".repeat(100)}`])).toEqual({
      reason: `header names the "task" column twice: "Task", "task${"_".repeat(60)}…"`,
    });
  });

  it("lets other columns repeat, as they are ignored", () => {
    expect(readImportHeader(["task", "notes", "notes"])).toMatchObject({ task: 0 });
  });

  it("quotes a separator line of 64 characters whole", () => {
    const line = `sep=${";".repeat(60)}`;

    expect(readImportHeader([line])).toMatchObject({
      reason: expect.stringContaining(`(the first line, "${line}", is`),
    });
  });

  // A reason is answered and stored as JSON: half a surrogate pair there is a lone surrogate, which some
  // encoders refuse and others turn into U+FFFD.
  it.each([
    ["the first astral character", "\u{10000}", 63],
    ["an astral character", "\u{1F600}", 63],
    ["the last astral character", "\u{10FFFF}", 63],
    ["a character just past the surrogates", "\uE000x", 64],
  ])("cuts a long separator line short without splitting a surrogate pair, at %s", (_case, text, kept) => {
    const line = `sep=${"x".repeat(59)}${text}${"y".repeat(10)}`;

    const { reason } = readImportHeader([line]) as { reason: string };

    expect(reason).toContain(`(the first line, "${line.slice(0, kept)}…", is Excel's separator line`);
  });

  // `todo import` prints reasons on a terminal: the file's text must not reach it as escape sequences.
  it.each([
    ["a separator line", ["sep=;\u001b]0;title\u0007\u001b[2K"], '"sep=;\\u001b]0;title\\u0007\\u001b[2K"'],
    ["a C1 control", ["sep=;\u009b2J"], '"sep=;\\u009b2J"'],
    ["text-direction overrides", ["sep=\u202e;\u2066"], '"sep=\\u202e;\\u2066"'],
    ["a column named twice", ["task", "ta\u2028sk"], '"task", "ta\\u2028sk"'],
  ])("quotes the file's text with its control characters escaped, in %s", (_case, fields, shown) => {
    const { reason } = readImportHeader(fields) as { reason: string };

    expect(reason).toContain(shown);
    expect(reason).not.toMatch(CONTROL_CHARACTERS);
  });

  it("knows Excel's separator line in capitals, and quotes it trimmed", () => {
    expect(readImportHeader([" SEP=; "])).toEqual({
      reason:
        'header must contain a "task" column (the first line, "SEP=;", is Excel\'s separator line: save it as "CSV UTF-8 (comma delimited)")',
    });
  });

  it("says so when one field of a header has a task column separated by semicolons", () => {
    expect(readImportHeader(["task;name", "dueDate"])).toEqual({
      reason:
        'header must contain a "task" column (the header\'s names are separated by ";", not commas: save it as "CSV UTF-8 (comma delimited)")',
    });
  });

  it("names the checked column as the README does when it is named twice", () => {
    expect(readImportHeader(["task", "checked", "Checked"])).toEqual({
      reason: 'header names the "checked" column twice: "checked", "Checked"',
    });
  });

  it.each([["xtaskx"], ["'task\""], ["\"task'"]])(
    "takes off only a pair of one quote around a name: %j",
    (name) => {
      expect(readImportHeader([name])).toEqual({ reason: 'header must contain a "task" column' });
    },
  );
});
