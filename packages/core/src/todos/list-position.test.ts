import { describe, expect, it } from "vitest";
import { InvalidCursorError } from "../shared/errors.js";
import { comparePositions, decodePosition } from "./list-position.js";

describe("list positions", () => {
  it("refuses a token that is no JSON, keeping the parser's error as the cause", () => {
    expect(() => decodePosition("[not json")).toThrow(InvalidCursorError);
    expect(() => decodePosition("[not json")).toThrow(
      expect.objectContaining({ cause: expect.any(SyntaxError) }),
    );
  });

  // A store reads these from a cursor it was handed: anything but a pair of strings is refused, not compared.
  it.each(['"ab"', '["a","b","c"]', '[1,"b"]', '["a",2]'])(
    "refuses the token %s, which is no pair of strings",
    (token) => {
      expect(() => decodePosition(token)).toThrow(InvalidCursorError);
    },
  );

  it("orders by creation time first, then by id, and finds a position equal only to itself", () => {
    const early = { createdAt: "2026-01-01T00:00:00.000Z", id: "z" };
    const late = { createdAt: "2026-01-02T00:00:00.000Z", id: "a" };
    const lateB = { createdAt: late.createdAt, id: "b" };

    expect([comparePositions(early, late), comparePositions(late, early)]).toEqual([-1, 1]);
    expect([comparePositions(late, lateB), comparePositions(lateB, late)]).toEqual([-1, 1]);
    expect(comparePositions(late, { ...late })).toBe(0);
  });
});
