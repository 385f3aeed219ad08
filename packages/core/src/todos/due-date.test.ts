import { describe, expect, it } from "vitest";
import { parseDueDate } from "./due-date.js";

describe("parseDueDate", () => {
  it.each([
    ["2017-12-10", "2017-12-10"],
    ["10-12-2017", "2017-12-10"],
    ["01-11-2017", "2017-11-01"],
    ["2024-02-29", "2024-02-29"],
    ["29-02-2000", "2000-02-29"],
  ])("reads %s as %s", (text, expected) => {
    expect(parseDueDate(text)).toBe(expected);
  });

  it.each([
    "2023-02-29",
    "31-04-2020",
    "1900-02-29",
    "2020-13-01",
    "00-01-2020",
    "2020-1-1",
    "12/10/2017",
    "tomorrow",
    "",
  ])("rejects %j", (text) => {
    expect(parseDueDate(text)).toBeUndefined();
  });
});
