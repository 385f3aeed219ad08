import { describe, expect, it } from "vitest";
import { isTodoId } from "../todos/todo.js";
import { deriveTodoId, importIdOf, todoIdsFor, uuidV5 } from "./import-identity.js";

const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ref = { container: "uploads", key: "todoList.csv", version: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" };

describe("uuidV5", () => {
  it("matches the RFC 9562 example (DNS namespace, www.example.com)", () => {
    expect(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")).toBe(
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
  });

  it("takes a name of up to 4 KiB of UTF-8, and refuses a longer one", () => {
    const namespace = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    expect(uuidV5(namespace, "é".repeat(2048))).toMatch(V5);
    expect(() => uuidV5(namespace, `${"é".repeat(2048)}a`)).toThrow(
      new RangeError("A UUIDv5 name is limited to 4 KiB here."),
    );
  });

  it("refuses a namespace that is not a UUID", () => {
    expect(() => uuidV5("not-a-uuid", "x")).toThrow(TypeError);
  });
});

describe("importIdOf", () => {
  it("gives the same version of the same object the same id, forever", () => {
    expect(importIdOf(ref)).toBe(importIdOf({ ...ref }));
    expect(importIdOf(ref)).toBe("96c3de8a-49c0-56e3-8484-7d6956ab10bd");
    expect(importIdOf(ref)).toMatch(V5);
  });

  it("gives another version, key or container another id", () => {
    const ids = new Set([
      importIdOf(ref),
      importIdOf({ ...ref, version: "2" }),
      importIdOf({ ...ref, key: "other.csv" }),
      importIdOf({ ...ref, container: "other" }),
    ]);

    expect(ids.size).toBe(4);
  });

  it("is random without any version", () => {
    const unversioned = { container: ref.container, key: ref.key };

    expect(importIdOf(unversioned)).not.toBe(importIdOf(unversioned));
    expect(isTodoId(importIdOf(unversioned))).toBe(true);
  });
});

describe("deriveTodoId", () => {
  const importId = importIdOf(ref);
  const V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it("is stable: the same import and line always give the same todo id", () => {
    expect(importId).toBe("96c3de8a-49c0-56e3-8484-7d6956ab10bd");
    expect(deriveTodoId(importId, 2)).toBe("96c3de8a-49c0-86e3-8484-000000000002");
    expect(deriveTodoId(importId, 2)).toBe(deriveTodoId(importId, 2));
  });

  it("is a UUIDv8: the import id's digits, then the line number in hex", () => {
    expect(deriveTodoId(importId, 255)).toBe("96c3de8a-49c0-86e3-8484-0000000000ff");
    expect(deriveTodoId(importId, 16 ** 12 - 1)).toBe("96c3de8a-49c0-86e3-8484-ffffffffffff");
    expect(deriveTodoId(importId.toUpperCase(), 2)).toBe(deriveTodoId(importId, 2));
    // A random import id (no version known) of another variant still gives an RFC 9562 id.
    expect(deriveTodoId("00000000-0000-4000-c000-000000000000", 1)).toBe(
      "00000000-0000-8000-8000-000000000001",
    );
  });

  it("sorts like the line numbers, so that one import's todos list in the file's order", () => {
    const lines = [2, 3, 9, 10, 15, 16, 99, 100, 255, 256, 4095, 4096, 65_536, 1_000_000, 16 ** 12 - 1];
    const ids = lines.map((line) => deriveTodoId(importId, line));

    expect([...ids].sort()).toEqual(ids);
  });

  it("gives every line and every import its own id", () => {
    const ids = todoIdsFor(importId);
    const other = todoIdsFor(importIdOf({ ...ref, version: "2" }));
    const all = new Set<string>();
    for (let line = 1; line <= 10_000; line++) {
      all.add(ids(line));
      all.add(other(line));
    }

    expect(all.size).toBe(20_000);
    expect([...all].every((id) => V8.test(id) && isTodoId(id))).toBe(true);
  });

  it("refuses what is not a line number, or an import id that is not a UUID", () => {
    expect(() => deriveTodoId(importId, 0)).toThrow(RangeError);
    expect(() => deriveTodoId(importId, 1.5)).toThrow(RangeError);
    expect(() => deriveTodoId(importId, 16 ** 12)).toThrow(RangeError);
    expect(() => deriveTodoId("import-1", 2)).toThrow(TypeError);
  });

  it("names what it refused in its message", () => {
    expect(() => deriveTodoId(importId, 0)).toThrow("Not a line number: 0");
    expect(() => deriveTodoId("import-1", 2)).toThrow("Not a UUID: import-1");
    expect(() => uuidV5("dns", "www.example.com")).toThrow("Not a UUID: dns");
  });
});
