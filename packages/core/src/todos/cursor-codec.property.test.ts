import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { InvalidCursorError } from "../shared/errors.js";
import { CursorCodec } from "./cursor-codec.js";

const codec = new CursorCodec("a secret of at least sixteen bytes");

/** The store tokens a codec is given: text of any characters, well-formed (as JSON.stringify writes it). */
const token = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }).filter((text) => Buffer.from(text).toString() === text),
  fc
    .record({ createdAt: fc.date({ noInvalidDate: true }), id: fc.uuid() })
    .map(({ createdAt, id }) => JSON.stringify([createdAt.toISOString(), id])),
);

/** Any character, those of base64url and the cursor's dot and padding often. */
const cursorChar = fc.oneof(
  fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ "),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);

/** Cursors of the right form: a payload and a mac in base64url, the mac of any length up to 20 bytes. */
const wellFormedForgery = fc
  .tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 20 }))
  .map(
    ([payload, mac]) =>
      `${Buffer.from(payload).toString("base64url")}.${Buffer.from(mac).toString("base64url")}`,
  );

/** What `decode` answers: the token, or the name of what it threw (only `InvalidCursorError` is allowed). */
function decoded(cursor: string): string {
  try {
    return `token:${codec.decode(cursor)}`;
  } catch (error) {
    return error instanceof InvalidCursorError ? "InvalidCursorError" : String(error);
  }
}

describe("CursorCodec, on generated tokens and cursors", () => {
  it("gives back every token from the cursor it made of it", () => {
    fc.assert(
      fc.property(token, (value) => {
        expect(codec.decode(codec.encode(value))).toBe(value);
      }),
      propertyRuns(1000),
    );
  });

  it("refuses a cursor with any one character changed, cut short or lengthened, with InvalidCursorError", () => {
    fc.assert(
      fc.property(
        token,
        fc.nat(),
        cursorChar,
        fc.string({ unit: cursorChar, minLength: 1, maxLength: 4 }),
        (value, at, char, more) => {
          const cursor = codec.encode(value);
          const index = at % cursor.length;
          fc.pre(cursor[index] !== char);

          expect(decoded(`${cursor.slice(0, index)}${char}${cursor.slice(index + 1)}`)).toBe(
            "InvalidCursorError",
          );
          expect(decoded(cursor.slice(0, index))).toBe("InvalidCursorError");
          expect(decoded(`${cursor}${more}`)).toBe("InvalidCursorError");
          expect(decoded(`${more}${cursor}`)).toBe("InvalidCursorError");
          expect(decoded(`${cursor.slice(0, index)}${more}${cursor.slice(index)}`)).toBe(
            "InvalidCursorError",
          );
        },
      ),
      propertyRuns(2000),
    );
  });

  it("refuses a cursor whose payload or mac has any one bit changed", () => {
    // An empty token's payload has no bit to change.
    const nonEmpty = token.filter((value) => value !== "");
    fc.assert(
      fc.property(nonEmpty, fc.boolean(), fc.nat(), fc.nat(7), (value, inMac, at, bit) => {
        const parts = codec.encode(value).split(".") as [string, string];
        const part = inMac ? 1 : 0;
        const bytes = Buffer.from(parts[part], "base64url");
        bytes[at % bytes.length]! ^= 1 << bit;
        parts[part] = bytes.toString("base64url");

        expect(decoded(parts.join("."))).toBe("InvalidCursorError");
      }),
      propertyRuns(2000),
    );
  });

  it("answers any text that it did not make with InvalidCursorError, never another error", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: cursorChar, maxLength: 60 }), wellFormedForgery), (cursor) => {
        expect(decoded(cursor)).toBe("InvalidCursorError");
      }),
      propertyRuns(2000),
    );
  });

  it("refuses every cursor made under another secret", () => {
    fc.assert(
      fc.property(token, fc.uint8Array({ minLength: 16, maxLength: 40 }), (value, secret) => {
        fc.pre(!Buffer.from(secret).equals(Buffer.from("a secret of at least sixteen bytes")));

        expect(decoded(new CursorCodec(secret).encode(value))).toBe("InvalidCursorError");
      }),
      propertyRuns(500),
    );
  });
});
