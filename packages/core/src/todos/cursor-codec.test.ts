import { describe, expect, it } from "vitest";
import { InvalidCursorError } from "../shared/errors.js";
import { CursorCodec } from "./cursor-codec.js";

describe("CursorCodec", () => {
  const codec = new CursorCodec("a secret of at least sixteen bytes");

  it("gives back the store's token from a cursor it issued", () => {
    const cursor = codec.encode('["2026-01-01T00:00:00.000Z","abc"]');

    expect(codec.decode(cursor)).toBe('["2026-01-01T00:00:00.000Z","abc"]');
  });

  // Its cursor starts with the dot: no store issues an empty token, but the codec reads all it writes.
  it("gives back an empty token", () => {
    expect(codec.decode(codec.encode(""))).toBe("");
  });

  it("does not show the token in clear text", () => {
    expect(codec.encode("position-42")).not.toContain("position-42");
  });

  it("rejects a cursor whose payload was altered", () => {
    const [, mac] = codec.encode("position-1").split(".");
    const forged = `${Buffer.from("position-2").toString("base64url")}.${mac}`;

    expect(() => codec.decode(forged)).toThrow(InvalidCursorError);
  });

  it("rejects a cursor with any bit of its mac flipped: all 16 bytes are checked", () => {
    const [payload, macText] = codec.encode("position-1").split(".") as [string, string];
    const mac = Buffer.from(macText, "base64url");

    for (let byte = 0; byte < mac.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = Buffer.from(mac);
        flipped[byte]! ^= 1 << bit;
        const forged = `${payload}.${flipped.toString("base64url")}`;
        expect(() => codec.decode(forged), `byte ${byte}, bit ${bit}`).toThrow(InvalidCursorError);
      }
    }
  });

  it("rejects a cursor whose text was changed where its bytes decode alike", () => {
    const cursor = codec.encode("position-1");
    const [payload, mac] = cursor.split(".") as [string, string];
    // The mac's last character carries unused bits: another character can decode to the same 16 bytes.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = [...alphabet]
      .map((last) => `${mac.slice(0, -1)}${last}`)
      .find((text) => text !== mac && Buffer.from(text, "base64url").equals(Buffer.from(mac, "base64url")));
    expect(twin).toBeDefined();

    for (const changed of [
      `${payload}.${twin}`,
      `${cursor}==`,
      `${cursor}!!`,
      `${cursor}.`,
      `${payload}=.${mac}`,
    ]) {
      expect(() => codec.decode(changed), changed).toThrow(InvalidCursorError);
    }
    expect(codec.decode(cursor)).toBe("position-1");
  });

  it("rejects a cursor signed under another secret", () => {
    const other = new CursorCodec("another secret, also sixteen bytes");

    expect(() => codec.decode(other.encode("position-1"))).toThrow(InvalidCursorError);
  });

  it.each(["", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.???", "x".repeat(5000)])(
    "rejects the garbage %j",
    (cursor) => {
      expect(() => codec.decode(cursor)).toThrow(InvalidCursorError);
    },
  );

  it("refuses a cursor of more than 4096 characters, even one it issued", () => {
    // A token of 3054 bytes makes a cursor of 4095 characters, one of 3055 bytes one of 4097.
    const longest = codec.encode("p".repeat(3054));
    const tooLong = codec.encode("p".repeat(3055));
    expect([longest.length, tooLong.length]).toEqual([4095, 4097]);

    expect(codec.decode(longest)).toBe("p".repeat(3054));
    expect(() => codec.decode(tooLong)).toThrow(InvalidCursorError);
  });

  it("refuses a secret shorter than 16 bytes", () => {
    expect(() => new CursorCodec("short")).toThrow(/16 bytes/);
  });

  it("takes a secret of 16 bytes, counted in UTF-8 bytes rather than characters", () => {
    for (const secret of ["s".repeat(16), "é".repeat(8)]) {
      const signer = new CursorCodec(secret);
      expect(signer.decode(signer.encode("position-1")), secret).toBe("position-1");
    }
    expect(() => new CursorCodec(`${"é".repeat(7)}s`)).toThrow(/16 bytes/);
  });
});
