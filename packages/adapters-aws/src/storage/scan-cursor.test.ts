import { InvalidCursorError } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { decodeScanCursor, encodeScanCursor } from "./scan-cursor.js";

describe("scan cursors", () => {
  it("round-trips an id, unicode included", () => {
    const id = "0b6e0a52-6c1e-4c4e-9d0e-2f1f7c0c9a11 — été 📋";

    expect(decodeScanCursor(encodeScanCursor(id))).toBe(id);
  });

  it("round-trips an id of exactly DynamoDB's 2,048 bytes for a key", () => {
    const id = "é".repeat(1024);

    expect(decodeScanCursor(encodeScanCursor(id))).toBe(id);
  });

  it("is the todo's table key as JSON", () => {
    expect(encodeScanCursor("abc")).toBe('{"id":"abc"}');
  });

  it.each([
    "",
    "not json",
    "[1,2]",
    '["2030-01-01T00:00:00.000Z","abc"]',
    "null",
    '"abc"',
    "{}",
    '{"id":""}',
    '{"id":1}',
    '{"id":{"S":"abc"}}',
    '{"id":"abc","extra":true}',
    '{"ID":"abc"}',
    JSON.stringify({ id: "x".repeat(2049) }),
  ])("refuses %j", (cursor) => {
    expect(() => decodeScanCursor(cursor)).toThrow(InvalidCursorError);
  });

  it("gives the JSON parser's error as the cause of refusing a cursor that is not JSON", () => {
    expect(() => decodeScanCursor("not json")).toThrow(
      expect.objectContaining({ cause: expect.any(SyntaxError) }),
    );
  });
});
