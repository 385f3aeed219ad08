import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { CrLineEndingsToLf, LINE_BREAK_SEARCH_BYTES } from "./cr-line-endings.js";

async function convert(chunks: Buffer[]): Promise<{ output: string; pieces: Buffer[] }> {
  const pieces: Buffer[] = [];
  await pipeline(Readable.from(chunks), new CrLineEndingsToLf(), async (source: AsyncIterable<Buffer>) => {
    for await (const piece of source) pieces.push(piece);
  });
  return { output: Buffer.concat(pieces).toString("latin1"), pieces };
}

/** `text` cut into chunks of `size` bytes. */
const cut = (text: string, size: number) => {
  const bytes = Buffer.from(text, "latin1");
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
};

describe("CrLineEndingsToLf", () => {
  it.each([
    ["CR line endings become LFs", "a,b\r1,2\r3,4\r", "a,b\n1,2\n3,4\n"],
    ["CR CR LF becomes LF CR LF: a bare CR, then CRLF", "a\r\r\nb\r\r\n", "a\n\r\nb\n\r\n"],
    ["a CR inside a quoted field of a CR file becomes LF", 'h\r"x\ry",1\r', 'h\n"x\ny",1\n'],
    ["a file of one line ended by CR", "a\r", "a\n"],
    ["CRLF line endings stay", "a,b\r\n1,2\r\n", "a,b\r\n1,2\r\n"],
    ["LF line endings stay", "a,b\n1,2\n", "a,b\n1,2\n"],
    ["a bare CR inside an LF file stays text", 'a,b\n"x\ry",1\n', 'a,b\n"x\ry",1\n'],
    ["a bare CR inside a CRLF file stays text", "a,b\r\nx\ry,1\r\n", "a,b\r\nx\ry,1\r\n"],
    ["no line break at all", "a,b", "a,b"],
    ["nothing", "", ""],
  ])("%s", async (_case, input, expected) => {
    for (const size of [1, 2, 3, 5, Math.max(1, input.length)]) {
      expect((await convert(cut(input, size))).output, `chunks of ${size}`).toBe(expected);
    }
  });

  it("looks for the first line break within LINE_BREAK_SEARCH_BYTES only, whatever the chunks", async () => {
    const late = `${"x".repeat(LINE_BREAK_SEARCH_BYTES)}\ry\r`;
    for (const size of [1000, 65_536, late.length]) {
      expect((await convert(cut(late, size))).output).toBe(late);
    }
  });

  it.each([
    ["an LF", "a,b\n1,2\n"],
    ["a CRLF", "a,b\r\n1,2\r\n"],
  ])("passes %s file through as the same bytes, without a copy", async (_case, text) => {
    const chunk = Buffer.from(text);
    const { pieces } = await convert([chunk]);
    expect(pieces).toHaveLength(1);
    expect(pieces[0]!.buffer).toBe(chunk.buffer);
    expect(pieces[0]!.byteOffset).toBe(chunk.byteOffset);
  });

  // Held to its end, a file of one long line (a header over the size cap, a binary file) would be held whole,
  // and copied into a larger buffer at each chunk.
  it("holds a file without a line break back no further than LINE_BREAK_SEARCH_BYTES, before its end", async () => {
    const stream = new CrLineEndingsToLf();
    let passedOn = 0;
    stream.on("data", (piece: Buffer) => {
      passedOn += piece.length;
    });
    const write = (chunk: Buffer) =>
      new Promise<void>((resolve, reject) =>
        stream.write(chunk, (error) => (error ? reject(error) : resolve())),
      );

    await write(Buffer.alloc(LINE_BREAK_SEARCH_BYTES - 1, "x"));
    expect(passedOn).toBe(0);
    await write(Buffer.from("x"));
    expect(passedOn).toBe(LINE_BREAK_SEARCH_BYTES);
    await write(Buffer.from("y\rz"));
    expect(passedOn).toBe(LINE_BREAK_SEARCH_BYTES + 3);
  });
});
