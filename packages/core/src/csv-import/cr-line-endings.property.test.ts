import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { chunked, chunkSizes } from "../test-support/generated-csv.js";
import { CrLineEndingsToLf, LINE_BREAK_SEARCH_BYTES } from "./cr-line-endings.js";

async function converted(chunks: Buffer[]): Promise<string> {
  const pieces: Buffer[] = [];
  await pipeline(Readable.from(chunks), new CrLineEndingsToLf(), async (source: AsyncIterable<Buffer>) => {
    for await (const piece of source) pieces.push(piece);
  });
  return Buffer.concat(pieces).toString("latin1");
}

/** The rule, on the whole text: a file whose first line break (in its first 64 KiB) is a CR alone is a CR file. */
function reference(text: string): string {
  const first = /\r\n?|\n/.exec(text.slice(0, LINE_BREAK_SEARCH_BYTES + 1));
  const crFile = first !== null && first[0] === "\r" && first.index < LINE_BREAK_SEARCH_BYTES;
  return crFile ? text.replace(/\r(?!\n)/g, "\n") : text;
}

const text = fc.string({ unit: fc.constantFrom("a", ",", '"', "\r", "\n", "\r\n", "\r\r"), maxLength: 60 });

describe("CrLineEndingsToLf, on generated text cut into chunks", () => {
  it("turns every bare CR of a CR file into an LF and leaves other files alone, whatever the chunks", async () => {
    await fc.assert(
      fc.asyncProperty(text, chunkSizes, async (value, sizes) => {
        expect(await converted(chunked(Buffer.from(value, "latin1"), sizes))).toBe(reference(value));
      }),
      propertyRuns(1000),
    );
  });

  it("decides by the first line break within the first 64 KiB, however late it comes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: LINE_BREAK_SEARCH_BYTES - 3, max: LINE_BREAK_SEARCH_BYTES + 1 }),
        text,
        fc.constantFrom([1 << 20], [4096], [65_535], [7000, 1]),
        async (before, rest, sizes) => {
          const value = `${"a".repeat(before)}${rest}`;

          expect(await converted(chunked(Buffer.from(value, "latin1"), sizes))).toBe(reference(value));
        },
      ),
      propertyRuns(60),
    );
  });
});
