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

  it("takes the version the store served when the ref has none", () => {
    const { version, ...unversioned } = ref;

    expect(importIdOf(unversioned, { version })).toBe(importIdOf(ref));
    expect(importIdOf(ref, { version: "served" })).toBe(importIdOf(ref));
  });

  it("is random without any version", () => {
    const unversioned = { container: ref.container, key: ref.key };

    expect(importIdOf(unversioned)).not.toBe(importIdOf(unversioned));
    expect(isTodoId(importIdOf(unversioned))).toBe(true);
  });
});

describe("deriveTodoId", () => {
  const importId = importIdOf(ref);

  it("is stable: the same import and line always give the same todo id (checked with Python's uuid5)", () => {
    expect(deriveTodoId(importId, 2)).toBe("5c7702f9-2eb2-5370-8e7c-406e665b41ad");
    expect(deriveTodoId(importId, 2)).toBe(deriveTodoId(importId, 2));
  });

  it("is the UUIDv5 of the line number, written in decimal, in the import's namespace", () => {
    for (const line of [1, 2, 9, 10, 99, 100, 12_345, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      expect(deriveTodoId(importId, line)).toBe(uuidV5(importId, String(line)));
    }
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
    expect([...all].every((id) => V5.test(id))).toBe(true);
  });

  it("refuses what is not a line number, or an import id that is not a UUID", () => {
    expect(() => deriveTodoId(importId, 0)).toThrow(RangeError);
    expect(() => deriveTodoId(importId, 1.5)).toThrow(RangeError);
    expect(() => deriveTodoId("import-1", 2)).toThrow(TypeError);
  });
});
