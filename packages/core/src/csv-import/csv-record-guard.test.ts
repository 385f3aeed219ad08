import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { CsvRecordGuard } from "./csv-record-guard.js";
import type { RowError } from "./import-report.js";

interface Guarded {
  output: string;
  pieces: Buffer[];
  dropped: RowError[];
}

async function guard(chunks: Buffer[], { max = 16, quote = '"' as '"' | "'" } = {}): Promise<Guarded> {
  const dropped: RowError[] = [];
  const pieces: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    new CsvRecordGuard({ maxRecordBytes: max, quote, onDropped: (error) => dropped.push(error) }),
    // Piped, as the import pipes it into the parser: each piece as the guard pushed it. (An async iterator reads
    // the guard's buffered pieces joined into one new buffer, a copy that would not be the guard's.)
    new Writable({
      write(piece: Buffer, _encoding, callback) {
        pieces.push(piece);
        callback();
      },
    }),
  );
  return { output: Buffer.concat(pieces).toString("latin1"), pieces, dropped };
}

const whole = (text: string) => [Buffer.from(text, "latin1")];

describe("CsvRecordGuard", () => {
  it("passes a well-formed file through unchanged, as subarrays of the chunks it was given", async () => {
    // A file on an ArrayBuffer of its own: `Buffer.from` of a short string (or of a copy) takes a slice of Node's
    // shared pool, so a piece copied out of the chunks would share the file's `buffer` all the same.
    const bytes = new TextEncoder().encode('task,name\n"multi\nline",a\n"say ""hi""",b\r\n\nlast,c');
    const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const chunks = [file.subarray(0, 13), file.subarray(13, 30), file.subarray(30)];

    const { output, pieces, dropped } = await guard(chunks, { max: 64 });

    expect(output).toBe(file.toString("latin1"));
    expect(dropped).toEqual([]);
    expect(pieces.every((piece) => piece.buffer === file.buffer)).toBe(true);
  });

  it("drops a record larger than the limit and leaves an empty line in its place", async () => {
    const { output, dropped } = await guard(whole(`task,name\nshort,a\n${"x".repeat(40)},b\nafter,c\n`));

    expect(output).toBe("task,name\nshort,a\n\nafter,c\n");
    expect(dropped).toEqual([{ line: 3, reason: "record larger than 16 bytes" }]);
  });

  it("allows a record of exactly the limit, LF excluded", async () => {
    const exact = "x".repeat(16);

    expect((await guard(whole(`${exact}\n${exact}x\n`))).dropped).toEqual([
      { line: 2, reason: "record larger than 16 bytes" },
    ]);
  });

  it("allows a record of exactly the limit in a CRLF file too: the CR of its line ending does not count", async () => {
    const exact = "x".repeat(16);
    const file = Buffer.from(`${exact}\r\n${exact}x\r\n${exact}\r\n`, "latin1");

    for (let at = 0; at <= file.length; at++) {
      const split = await guard([file.subarray(0, at), file.subarray(at)]);
      expect(split.dropped, `split at ${at}`).toEqual([{ line: 2, reason: "record larger than 16 bytes" }]);
      expect(split.output, `split at ${at}`).toBe(`${exact}\r\n\n${exact}\r\n`);
    }
  });

  it("counts a CR inside a record, and one before a quoted field's line break", async () => {
    const { dropped } = await guard(whole(`${"x".repeat(15)}\ry\n"${"z".repeat(13)}\r\n"\n`));

    expect(dropped).toEqual([
      { line: 1, reason: "record larger than 16 bytes" },
      { line: 2, reason: "record larger than 16 bytes" },
    ]);
  });

  it("keeps line numbering across a dropped record that spans lines inside quotes", async () => {
    const { output, dropped } = await guard(whole(`task\n"${"a\n".repeat(10)}",b\nafter\n`));

    expect(output).toBe(`task\n${"\n".repeat(11)}after\n`);
    expect(dropped).toEqual([{ line: 2, reason: "record larger than 16 bytes" }]);
  });

  it("replaces a dropped record with one LF per line it spanned in a CRLF file too", async () => {
    const { output } = await guard(whole(`task\r\n"${"a\r\n".repeat(5)}"\r\nafter\r\n`));

    expect(output).toBe(`task\r\n${"\n".repeat(6)}after\r\n`);
  });

  it.each([
    ["a quote inside an unquoted field", 'ab"c,d', 'quote (") inside an unquoted field'],
    [
      "a closing quote followed by text",
      '"ab"c,d',
      'closing quote (") not followed by a comma or the end of the line',
    ],
    [
      "a closing quote followed by CR and text",
      '"ab"\rc',
      'closing quote (") not followed by a comma or the end of the line',
    ],
    [
      "a closing quote followed by CR and a comma",
      '"ab"\r,c',
      'closing quote (") not followed by a comma or the end of the line',
    ],
    [
      "a closing quote followed by one character, then the line's end",
      '"ab"c',
      'closing quote (") not followed by a comma or the end of the line',
    ],
    [
      "a quote error, then a quote that would open a field spanning lines",
      'a"b,"c',
      'quote (") inside an unquoted field',
    ],
  ])("drops a record with %s, up to the end of its line only", async (_case, record, reason) => {
    const { output, dropped } = await guard(whole(`task,x\n${record}\nok,1\n`), { max: 64 });

    expect(output).toBe("task,x\n\nok,1\n");
    expect(dropped).toEqual([{ line: 2, reason }]);
  });

  it("passes quoted fields with spaces or tabs around them (at a record's start and end too), wherever the chunks are cut", async () => {
    const text = 'task,x,y\n  "a" , \t"b,c"\t,\t\n\t"multi\nline" \t,1,"2"  \r\n"z" \n';
    const file = Buffer.from(text, "latin1");

    for (let at = 0; at <= file.length; at++) {
      const split = await guard([file.subarray(0, at), file.subarray(at)], { max: 64 });
      expect(split, `split at ${at}`).toMatchObject({ output: text, dropped: [] });
    }
    const bytes = Array.from({ length: file.length }, (_, i) => file.subarray(i, i + 1));
    expect(await guard(bytes, { max: 64 })).toMatchObject({ output: text, dropped: [] });
  });

  it.each([
    ["text, a blank, then a quote", 'ab "c",d', 'quote (") inside an unquoted field'],
    [
      "blanks then text after a closing quote",
      '"ab" \tc,d',
      'closing quote (") not followed by a comma or the end of the line',
    ],
    [
      "a blank then a quote after a closing quote",
      '"ab" "c",d',
      'closing quote (") not followed by a comma or the end of the line',
    ],
    [
      "a blank then a CR alone after a closing quote",
      '"ab" \rc,d',
      'closing quote (") not followed by a comma or the end of the line',
    ],
  ])("still drops a record with %s, wherever the chunks are cut", async (_case, record, reason) => {
    const file = Buffer.from(`task,x\n${record}\nok,1\n`, "latin1");

    for (let at = 0; at <= file.length; at++) {
      const split = await guard([file.subarray(0, at), file.subarray(at)], { max: 64 });
      expect(split, `split at ${at}`).toMatchObject({
        output: "task,x\n\nok,1\n",
        dropped: [{ line: 2, reason }],
      });
    }
    const bytes = Array.from({ length: file.length }, (_, i) => file.subarray(i, i + 1));
    expect(await guard(bytes, { max: 64 })).toMatchObject({
      output: "task,x\n\nok,1\n",
      dropped: [{ line: 2, reason }],
    });
  });

  // The parser trims blanks at a field's start, so a line of them (a BOM and a CRLF aside) is an empty line it
  // yields nothing for: the record the reader waits for before it calls a dropped record the header.
  it.each([
    ["blanks only, after a BOM, CRLF", "\xef\xbb\xbf \t\n \r\n", 0],
    ["text after blanks", "\t\n  x\n", 2],
    ["text after a BOM", "\xef\xbb\xbfx\n", 1],
  ])(
    "tells the last line passed on before a drop after %s (a line of blanks is none), wherever the chunks are cut",
    async (_case, before, passed) => {
      const file = Buffer.from(`${before} a"b\nok\n`, "latin1");
      const cuts = [
        ...Array.from({ length: file.length + 1 }, (_, at) => [file.subarray(0, at), file.subarray(at)]),
        Array.from({ length: file.length }, (_, i) => file.subarray(i, i + 1)),
      ];
      for (const chunks of cuts) {
        const seen: number[] = [];
        const guard: CsvRecordGuard = new CsvRecordGuard({
          maxRecordBytes: 64,
          quote: '"',
          onDropped: () => seen.push(guard.lastPassedLine),
        });
        await pipeline(
          Readable.from(chunks),
          guard,
          new Writable({ write: (_piece, _encoding, done) => done() }),
        );
        expect(seen, `chunks of ${chunks.map((chunk) => chunk.length).join(", ")}`).toEqual([passed]);
      }
    },
  );

  it("drops a record whose bad closing quote comes lines after it starts", async () => {
    const { output, dropped } = await guard(whole('task,x\n"a\nb"c,d\nok,1\n'), { max: 64 });

    expect(output).toBe("task,x\n\n\nok,1\n");
    expect(dropped).toEqual([
      { line: 2, reason: 'closing quote (") not followed by a comma or the end of the line' },
    ]);
  });

  it("ends a record at every LF outside quotes, as the parser does: a bare LF in a CRLF file too", async () => {
    const { output, dropped } = await guard(whole(`task,x\r\nbare\nLF,1\r\n${"y".repeat(70)}\r\nok,2\r\n`), {
      max: 64,
    });

    expect(output).toBe("task,x\r\nbare\nLF,1\r\n\nok,2\r\n");
    expect(dropped).toEqual([{ line: 4, reason: "record larger than 64 bytes" }]);
  });

  it.each([
    ["a closing quote then a bare LF in a CRLF file", 'task\r\n"a"\nok\r\n'],
    ["a closing quote then CRLF in an LF file", 'task\n"a"\r\nok\n'],
  ])("passes %s", async (_case, text) => {
    expect(await guard(whole(text), { max: 64 })).toMatchObject({ output: text, dropped: [] });
  });

  it.each([
    ["a quote inside an unquoted field", 'abcdefghijklmnopq"x'],
    ["a bad closing quote", '"abcdefghijklmnopq"x'],
  ])(
    "drops a record over the limit before %s for its size, however the bytes are cut",
    async (_case, record) => {
      const file = Buffer.from(`task\n${record}\nok\n`, "latin1");
      for (const size of [1, 3, 7, file.length]) {
        const chunks = Array.from({ length: Math.ceil(file.length / size) }, (_, i) =>
          file.subarray(i * size, (i + 1) * size),
        );
        expect((await guard(chunks)).dropped, `chunks of ${size}`).toEqual([
          { line: 2, reason: "record larger than 16 bytes" },
        ]);
      }
    },
  );

  it.each([
    ["a quote inside an unquoted field", `${"x".repeat(16)}"y`, 'quote (") inside an unquoted field'],
    [
      "a bad closing quote",
      `"${"x".repeat(14)}"y`,
      'closing quote (") not followed by a comma or the end of the line',
    ],
  ])(
    "drops a record that reaches the limit at %s for that error, not its size, however the bytes are cut",
    async (_case, record, reason) => {
      const file = Buffer.from(`task\n${record}\nok\n`, "latin1");
      for (let at = 0; at <= file.length; at++) {
        const split = await guard([file.subarray(0, at), file.subarray(at)]);
        expect(split.dropped, `split at ${at}`).toEqual([{ line: 2, reason }]);
      }
    },
  );

  it("drops a last record without a line ending that is one byte over the limit", async () => {
    expect(await guard(whole(`task\n${"x".repeat(17)}`))).toMatchObject({
      output: "task\n",
      dropped: [{ line: 2, reason: "record larger than 16 bytes" }],
    });
    expect(await guard(whole(`task\n${"x".repeat(16)}`))).toMatchObject({ dropped: [] });
  });

  it("allows a record of exactly the limit when an empty chunk comes between its CR and LF", async () => {
    const exact = "x".repeat(16);
    const chunks = [Buffer.from(`${exact}\r`), Buffer.alloc(0), Buffer.from("\nok\r\n")];

    expect(await guard(chunks)).toMatchObject({ output: `${exact}\r\nok\r\n`, dropped: [] });
  });

  it("reports a record over the limit whose quote is still open at the end once, for its size", async () => {
    const { output, dropped } = await guard(whole(`task\n"${"x".repeat(20)}`));

    expect(output).toBe("task\n");
    expect(dropped).toEqual([{ line: 2, reason: "record larger than 16 bytes" }]);
  });

  it("drops a quote left open at the end of the file", async () => {
    const { output, dropped } = await guard(whole('task,x\nok,1\n"never closed,2\n3,4'), { max: 64 });

    expect(output).toBe("task,x\nok,1\n");
    expect(dropped).toEqual([{ line: 3, reason: 'quote (") not closed' }]);
  });

  it("passes a closing quote at the very end of the file", async () => {
    expect((await guard(whole('task\n"done"'))).output).toBe('task\n"done"');
  });

  it("follows the single quote when told to, and takes double quotes literally then", async () => {
    const text = "task,x\n'it''s, fine',1\nsay \"hi\",2\n";

    expect(await guard(whole(text), { max: 64, quote: "'" })).toMatchObject({ output: text, dropped: [] });
  });

  it("passes a quoted first field at the very start of a file without a BOM", async () => {
    const text = '"task","x"\n"a",1\n';

    expect(await guard(whole(text), { max: 64 })).toMatchObject({ output: text, dropped: [] });
  });

  it("lets a quoted first field follow a UTF-8 BOM", async () => {
    const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"task",x\n"a",1\n')]);

    expect((await guard([file.subarray(0, 1), file.subarray(1, 2), file.subarray(2)])).dropped).toEqual([]);
  });

  it("does not count a UTF-8 BOM in the first record's size, wherever the chunks are cut", async () => {
    // The parser strips the BOM: the header is its 16 bytes, within the limit, and must not be refused as more.
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const exact = "t".repeat(16);
    for (const [text, dropped] of [
      [`${exact}\na\n`, []],
      [`"${"t".repeat(14)}"\na\n`, []],
      [`${exact}x\na\n`, [{ line: 1, reason: "record larger than 16 bytes" }]],
    ] as const) {
      const file = Buffer.concat([bom, Buffer.from(text, "latin1")]);
      for (let at = 0; at <= file.length; at++) {
        const split = await guard([file.subarray(0, at), file.subarray(at)]);
        expect(split.dropped, `${text} split at ${at}`).toEqual(dropped);
      }
    }
    // Bytes that only begin like a BOM are text, and count.
    const notBom = Buffer.concat([Buffer.from([0xef, 0xbb]), Buffer.from(`${"t".repeat(15)}\n`, "latin1")]);
    expect((await guard([notBom.subarray(0, 1), notBom.subarray(1)])).dropped).toEqual([
      { line: 1, reason: "record larger than 16 bytes" },
    ]);
    // ...and a quote after them is inside an unquoted field.
    const quotedAfter = Buffer.concat([Buffer.from([0xef, 0xbb]), Buffer.from('"t",x\na\n', "latin1")]);
    expect((await guard([quotedAfter])).dropped).toEqual([
      { line: 1, reason: 'quote (") inside an unquoted field' },
    ]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    "refuses a limit of %s bytes: it must be a positive integer",
    (maxRecordBytes) => {
      expect(() => new CsvRecordGuard({ maxRecordBytes, quote: '"', onDropped: () => {} })).toThrow(
        /positive integer/,
      );
    },
  );

  it("takes a limit of 1 byte", async () => {
    expect(await guard(whole("a\nbb\nc\n"), { max: 1 })).toMatchObject({
      output: "a\n\nc\n",
      dropped: [{ line: 2, reason: "record larger than 1 bytes" }],
    });
  });

  it("fails the stream with the error its onDropped throws", async () => {
    const failing = new CsvRecordGuard({
      maxRecordBytes: 16,
      quote: '"',
      onDropped: () => {
        throw new Error("the report is full");
      },
    });

    await expect(
      pipeline(
        Readable.from(whole(`task\n${"x".repeat(20)}\n`)),
        failing,
        new Writable({ write: (_piece, _encoding, done) => done() }),
      ),
    ).rejects.toThrow("the report is full");
  });

  it("reports a dropped header as line 1", async () => {
    expect((await guard(whole(`${"t".repeat(20)}\na\n`))).dropped).toEqual([
      { line: 1, reason: "record larger than 16 bytes" },
    ]);
  });

  it("drops an oversized record's bytes as they come, without holding them", async () => {
    const dropped: RowError[] = [];
    const sizeGuard = new CsvRecordGuard({
      maxRecordBytes: 1024,
      quote: '"',
      onDropped: (e) => dropped.push(e),
    });
    // What it keeps of the record in progress (private: the promise is about what it holds).
    const kept = sizeGuard as unknown as { held: Buffer[]; heldBytes: number };
    let mostHeld = 0;

    for (let i = 0; i < 1024; i++) {
      sizeGuard.write(Buffer.alloc(1024, "x"));
      mostHeld = Math.max(
        mostHeld,
        kept.heldBytes,
        kept.held.reduce((sum, piece) => sum + piece.length, 0),
      );
    }

    expect(sizeGuard.readableLength).toBe(0);
    expect(mostHeld).toBeLessThanOrEqual(1024);
    expect(kept.held).toEqual([]);
    expect(dropped).toEqual([{ line: 1, reason: "record larger than 1024 bytes" }]);
    sizeGuard.destroy();
  });

  describe.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ])("whatever the chunk boundaries (%s)", (_name, eol) => {
    const file = Buffer.from(
      [
        '\uFEFF"task",name',
        '"quoted, with comma","and ""escaped"" quotes"',
        `"spans${eol}two lines",x`,
        "x".repeat(60),
        `"too long${eol}${"y".repeat(60)}${eol}still",z`,
        'bad"quote,1',
        '"bad"close,2',
        "",
        "plain,3",
        '"open at the end',
      ].join(eol),
      "utf8",
    );

    it("gives the same output and drops at every split position", async () => {
      const expected = await guard([file], { max: 48 });
      expect(expected.dropped.map((error) => error.line)).toEqual([5, 6, 9, 10, 13]);

      for (let at = 0; at <= file.length; at++) {
        const split = await guard([file.subarray(0, at), file.subarray(at)], { max: 48 });
        expect(split.output, `split at ${at}`).toBe(expected.output);
        expect(split.dropped, `split at ${at}`).toEqual(expected.dropped);
      }
    });

    it("gives the same output and drops one byte at a time", async () => {
      const expected = await guard([file], { max: 48 });
      const bytes = Array.from({ length: file.length }, (_, i) => file.subarray(i, i + 1));

      expect(await guard(bytes, { max: 48 })).toMatchObject({
        output: expected.output,
        dropped: expected.dropped,
      });
    });
  });
});
