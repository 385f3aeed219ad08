import { describe, expect, it } from "vitest";
import {
  type Item,
  itemBytes,
  readBoolean,
  readInteger,
  readNullableString,
  readString,
} from "./attribute-values.js";

describe("reading a stored item", () => {
  const item: Item = {
    task: { S: "Water the plants" },
    name: { NULL: true },
    version: { N: "3" },
    checked: { BOOL: false },
  };

  it("reads each attribute as the type it was written as", () => {
    expect(readString(item, "task")).toBe("Water the plants");
    expect(readNullableString(item, "task")).toBe("Water the plants");
    expect(readNullableString(item, "name")).toBeNull();
    expect(readInteger(item, "version")).toBe(3);
    expect(readBoolean(item, "checked")).toBe(false);
  });

  it("reads a nullable string that is not stored at all as null", () => {
    expect(readNullableString(item, "dueDate")).toBeNull();
  });

  // An item another writer left malformed throws, naming the attribute, rather than handing on a wrong todo.
  it.each([
    ["a string that is missing", () => readString(item, "dueDate"), /no string dueDate/],
    ["a string stored as a number", () => readString(item, "version"), /no string version/],
    ["a nullable string stored as a number", () => readNullableString(item, "version"), /no string version/],
    ["a whole number that is missing", () => readInteger(item, "attempt"), /no whole number attempt/],
    [
      "a whole number stored as a fraction",
      () => readInteger({ version: { N: "1.5" } }, "version"),
      /version/,
    ],
    ["a boolean that is missing", () => readBoolean(item, "done"), /no boolean done/],
  ])("throws a TypeError for %s", (_, read, message) => {
    expect(read).toThrow(TypeError);
    expect(read).toThrow(message);
  });
});

describe("itemBytes", () => {
  it("counts UTF-8 bytes of names and strings, 21 bytes per number and 1 per boolean or null", () => {
    const item: Item = {
      id: { S: "é" },
      version: { N: "12" },
      checked: { BOOL: true },
      name: { NULL: true },
    };

    expect(itemBytes(item)).toBe(2 + 2 + (7 + 21) + (7 + 1) + (4 + 1));
  });
});
