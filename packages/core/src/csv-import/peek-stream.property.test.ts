import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { bodyOf, chunked, chunkSizes } from "../test-support/generated-csv.js";
import { detectQuote, QUOTE_SAMPLE_BYTES, QUOTE_SAMPLE_LINES } from "./detect-quote.js";
import { peekStream } from "./peek-stream.js";

const bytes = fc
  .string({ unit: fc.constantFrom("a", ",", "'", '"', "\n", "\r", "é", "\u{1F680}"), maxLength: 200 })
  .map((text) => Buffer.from(text));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for await (const chunk of chunks) pieces.push(chunk);
  return Buffer.concat(pieces);
}

describe("peekStream, on generated streams cut into chunks", () => {
  it("replays the whole stream after a head that is its start, and says when the head is all of it", async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes,
        chunkSizes,
        fc.nat(64),
        fc.nat(6),
        async (file, sizes, maxBytes, maxLineFeeds) => {
          const seen: number[] = [];
          const peeked = await peekStream(bodyOf(chunked(file, sizes)), {
            maxBytes,
            maxLineFeeds,
            onChunk: (count) => seen.push(count),
          });

          expect(file.subarray(0, peeked.head.length).equals(Buffer.from(peeked.head))).toBe(true);
          const lineFeeds = peeked.head.filter((byte) => byte === 0x0a).length;
          if (peeked.endOfFile) expect(peeked.head.length).toBe(file.length);
          else expect(peeked.head.length >= maxBytes || lineFeeds >= maxLineFeeds).toBe(true);
          // It read no further than it had to: before its last chunk, neither limit was reached.
          if (peeked.head.length > 0) {
            const chunks = chunked(file, sizes);
            let before = 0;
            for (let index = 0; before + chunks[index]!.length < peeked.head.length; index++) {
              before += chunks[index]!.length;
            }
            const feeds = file.subarray(0, before).filter((byte) => byte === 0x0a).length;
            expect(before < maxBytes && feeds < maxLineFeeds).toBe(true);
          }
          expect(await collect(peeked.chunks)).toEqual(file);
          expect(seen.reduce((sum, count) => sum + count, 0)).toBe(file.length);
        },
      ),
      propertyRuns(1000),
    );
  });
});

describe("detectQuote, on the head peekStream reads of a file cut into chunks", () => {
  it("answers the same whatever the chunks (a retry must parse the same bytes into the same todos)", async () => {
    // Some lines long enough that the head stops at its 64 KiB, not at a line feed.
    const line = fc.string({ unit: fc.constantFrom("a", ",", "'", '"', " "), maxLength: 12 });
    const longLine = fc
      .tuple(line, fc.integer({ min: 4000, max: 30_000 }))
      .map(([text, n]) => text + "a".repeat(n));
    const lines = fc.array(fc.oneof({ weight: 19, arbitrary: line }, { weight: 1, arbitrary: longLine }), {
      maxLength: 16,
    });
    await fc.assert(
      fc.asyncProperty(
        lines,
        fc.constantFrom("\n", "\r\n", "\r"),
        chunkSizes,
        async (records, ending, sizes) => {
          const file = Buffer.from(["task,name", ...records].join(ending));
          const detected = async (chunks: Buffer[]) => {
            const { head, endOfFile } = await peekStream(bodyOf(chunks), {
              maxBytes: QUOTE_SAMPLE_BYTES,
              maxLineFeeds: QUOTE_SAMPLE_LINES + 1,
            });
            return detectQuote(head, { endOfFile });
          };

          expect(await detected(chunked(file, sizes))).toBe(await detected([file]));
        },
      ),
      propertyRuns(300),
    );
  });
});
