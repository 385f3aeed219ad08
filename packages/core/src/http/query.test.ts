import { describe, expect, it } from "vitest";
import { InvalidParameterError } from "./http-errors.js";
import { readCursor, readLimit, readQuote } from "./query.js";

const url = (query: string) => new URL(`http://localhost/todos?${query}`);

// The 400's detail is the caller's to read: it must say which parameter is wrong and what it takes.
describe("the query parameters' errors", () => {
  it.each([
    ["limit=0", readLimit, "limit", "limit must be an integer from 1 to 100."],
    ["limit=1&limit=2", readLimit, "limit", "limit must be given once."],
    ["cursor=a&cursor=b", readCursor, "cursor", "cursor must be given once."],
    ["quote=backtick", readQuote, "quote", "quote must be auto, double or single."],
  ])("refuses %s naming the parameter and what it takes", (query, read, parameter, message) => {
    expect(() => read(url(query))).toThrow(
      expect.objectContaining({ constructor: InvalidParameterError, parameter, message }),
    );
  });
});
