import { describe, expect, it } from "vitest";
import { RowErrorList } from "./row-error-list.js";

const error = (line: number) => ({ line, reason: `reason ${line}` });

describe("RowErrorList", () => {
  it("keeps every error, in line order, while under the limit", () => {
    const list = new RowErrorList(5);
    for (const line of [4, 2, 9]) list.add(error(line));

    expect(list.toArray()).toEqual([error(2), error(4), error(9)]);
    expect(list.truncated).toBe(false);
  });

  it("keeps the first errors by line, whatever order they come in, and says it left some out", () => {
    const list = new RowErrorList(3);
    for (const line of [10, 3, 7, 12, 1, 8]) list.add(error(line));

    expect(list.toArray()).toEqual([error(1), error(3), error(7)]);
    expect(list.truncated).toBe(true);
  });

  it("keeps nothing with a limit of 0", () => {
    const list = new RowErrorList(0);
    list.add(error(1));

    expect(list.toArray()).toEqual([]);
    expect(list.truncated).toBe(true);
  });

  it("keeps errors of one line in the order they came, the first ones when full", () => {
    const list = new RowErrorList(2);
    for (const reason of ["a", "b", "c"]) list.add({ line: 2, reason });

    expect(list.toArray()).toEqual([
      { line: 2, reason: "a" },
      { line: 2, reason: "b" },
    ]);
  });
});
