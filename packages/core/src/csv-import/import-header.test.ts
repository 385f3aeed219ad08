import { describe, expect, it } from "vitest";
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
    [["task", "Task"], "task"],
    [["task", "name", " NAME "], "name"],
    [["dueDate", "task", "duedate"], "duedate"],
  ])("refuses a header that names a known column twice: %j", (fields, column) => {
    expect(readImportHeader(fields)).toEqual({ reason: `header names the "${column}" column twice` });
  });

  it("lets other columns repeat, as they are ignored", () => {
    expect(readImportHeader(["task", "notes", "notes"])).toMatchObject({ task: 0 });
  });
});
