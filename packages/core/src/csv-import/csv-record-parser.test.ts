import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { type CsvRecord, CsvRecordParser } from "./csv-record-parser.js";
import type { RowError } from "./import-report.js";

async function parse(chunks: string[], quote: '"' | "'" = '"') {
  const skipped: RowError[] = [];
  const batches: CsvRecord[][] = [];
  await pipeline(
    Readable.from(chunks.map((chunk) => Buffer.from(chunk, "utf8"))),
    new CsvRecordParser({ quote, maxRecordSize: 1024, onSkipped: (error) => skipped.push(error) }),
    async (source: AsyncIterable<CsvRecord[]>) => {
      for await (const batch of source) batches.push(batch);
    },
  );
  return { batches, records: batches.flat(), skipped };
}

describe("CsvRecordParser", () => {
  it("gives each record the line it starts on, past empty lines and line breaks inside fields", async () => {
    const { records } = await parse(['task,x\n"two\nlines",1\n\n\nthree,"a\n\nb"\nlast,2']);

    expect(records).toEqual([
      { fields: ["task", "x"], line: 1 },
      { fields: ["two\nlines", "1"], line: 2 },
      { fields: ["three", "a\n\nb"], line: 6 },
      { fields: ["last", "2"], line: 9 },
    ]);
  });

  it("counts a CRLF inside a field as one line, as editors do (csv-parse counts two)", async () => {
    const { records } = await parse(['task,x\r\n"x\r\ny",1\r\n"p\r\nq\r\nr",2\r\nz,3\r\n']);

    expect(records.map((record) => record.line)).toEqual([1, 2, 4, 7]);
  });

  it("does not count a CR inside a field of an LF file as a line", async () => {
    const { records } = await parse(['task,x\n"a\rb",1\nc,2\r\nd,3\n']);

    expect(records.map((record) => [record.fields[0], record.line])).toEqual([
      ["task", 1],
      ["a\rb", 2],
      ["c", 3],
      ["d", 4],
    ]);
  });

  it("reads spaces and tabs around a quoted field as outside it, as lists are typed by hand", async () => {
    const { records, skipped } = await parse([
      'task,name,x\n"Buy milk" , "Alice",\t"a, b"\t\n  "Call", Bob ,  c\n"Pay " \r\n',
    ]);

    expect(skipped).toEqual([]);
    expect(records.map((record) => record.fields)).toEqual([
      ["task", "name", "x"],
      ["Buy milk", "Alice", "a, b"],
      // An unquoted field keeps its blanks on the right: the row schema trims it.
      ["Call", "Bob ", "c"],
      // Inside the quotes, blanks are the value's.
      ["Pay "],
    ]);
  });

  it("keeps a CR alone at the end of an unquoted field, and the lines after it right (only blanks after a quote are trimmed)", async () => {
    const { records } = await parse(["task,x\na\r,1\nb,2\r \nc,3\n"]);

    expect(records.map((record) => [record.fields, record.line])).toEqual([
      [["task", "x"], 1],
      [["a\r", "1"], 2],
      [["b", "2\r "], 3],
      [["c", "3"], 4],
    ]);
  });

  it("keeps a CR alone at the start of an unquoted field, and the lines after it right (only blanks are trimmed)", async () => {
    const { records } = await parse(["task,x\n\ra,1\nb,\r2\nc,3\n"]);

    expect(records.map((record) => [record.fields, record.line])).toEqual([
      [["task", "x"], 1],
      [["\ra", "1"], 2],
      [["b", "\r2"], 3],
      [["c", "3"], 4],
    ]);
  });

  it("yields records of any width without csv-parse building an error for each other than the first's", async () => {
    const parser = new CsvRecordParser({ quote: '"', maxRecordSize: 1024, onSkipped: () => {} });
    const records: CsvRecord[] = [];
    await pipeline(
      Readable.from([Buffer.from("task,name,dueDate,checked\na\n,,,,\nb,c\nd,e,f,g\n")]),
      parser,
      async (source: AsyncIterable<CsvRecord[]>) => {
        for await (const batch of source) records.push(...batch);
      },
    );

    expect(records.map((record) => record.fields.length)).toEqual([4, 1, 5, 2, 4]);
    // Each such error (a stack, a copy of the record) cost five times a valid row: csv-parse counts them here.
    expect(parser.info.invalid_field_length).toBe(0);
  });

  it("yields the records parsed from one chunk together", async () => {
    const { batches, records } = await parse(["task\na\nb\nc\n", "d\ne\nf\ng\n"]);

    expect(records.map((record) => record.fields[0])).toEqual(["task", "a", "b", "c", "d", "e", "f", "g"]);
    // csv-parse keeps the last bytes of a chunk (as many as the longest blank it trims: 3, U+3000 in UTF-8) until
    // it sees what follows them, and with them the records they end.
    expect(batches.map((batch) => batch.length)).toEqual([2, 4, 2]);
  });

  it("escapes single quotes by doubling them, and keeps double quotes as they are", async () => {
    const { records } = await parse(["task\n'it''s'\n'say \"hi\"'\n"], "'");

    expect(records.map((record) => record.fields[0])).toEqual(["task", "it's", 'say "hi"']);
  });

  it("strips a BOM and keeps rows of any width", async () => {
    const { records } = await parse(["\uFEFFtask,x\na\nb,1,2\n"]);

    expect(records.map((record) => record.fields)).toEqual([["task", "x"], ["a"], ["b", "1", "2"]]);
  });

  it.each([
    ["task\nfirst\nsecond\r\r", [1, 2, 3]],
    ["task\nonly\r\r", [1, 2]],
    ["task,o\nx,a\r\r\r", [1, 2]],
    ["task,o\nx,a\rb\r", [1, 2]],
    ['task,o\nx,"a\r"', [1, 2]],
    ['task,o\nx,"a\r"\n', [1, 2]],
    ["task\nt\r", [1, 2]],
  ])("numbers the records of %j right, a CR as the file's last byte included", async (text, lines) => {
    // csv-parse does not count a CR that ends the input; the parser must not take it off the count either.
    for (const size of [1, 2, 1000]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
        text.slice(i * size, (i + 1) * size),
      );
      const { records } = await parse(chunks);
      expect(
        records.map((record) => record.line),
        `chunks of ${size}`,
      ).toEqual(lines);
    }
  });

  it.each([
    ['task\n"ab"\r', [["task"], ["ab"]]],
    ['task\r\n"ab" \r', [["task"], ["ab"]]],
    ["task\n'ab'\r", [["task"], ["ab"]]],
    ["task\nab\r", [["task"], ["ab"]]],
    ["\r", []],
  ])("ends the last line at a CR that is the file's last byte: %j", async (text, fields) => {
    const quote = text.includes("'") ? "'" : '"';
    for (const size of [1, 2, 1000]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
        text.slice(i * size, (i + 1) * size),
      );
      const { records, skipped } = await parse(chunks, quote);
      expect({ fields: records.map((record) => record.fields), skipped }, `chunks of ${size}`).toEqual({
        fields,
        skipped: [],
      });
    }
  });

  it("keeps a CR before the file's last one as text, and a quote left open at its last byte as not closed", async () => {
    expect((await parse(['task\n"ab"\r\r'])).skipped).toEqual([
      { line: 2, reason: "closing quote not followed by a comma or the end of the line" },
    ]);
    expect((await parse(['task\na\n"open\r'])).skipped).toEqual([{ line: 3, reason: "quote not closed" }]);
  });

  it("reports a record csv-parse skips, with the line it found the problem on", async () => {
    const { records, skipped } = await parse(['task\na\nb"c\n"d"e\n']);

    expect(records.map((record) => record.fields[0])).toEqual(["task", "a"]);
    expect(skipped).toEqual([
      { line: 3, reason: "quote inside an unquoted field" },
      { line: 4, reason: "closing quote not followed by a comma or the end of the line" },
    ]);
  });

  it("reports a skipped record at its editor's line after CRLFs inside fields", async () => {
    const { skipped } = await parse(['task\r\n"a\r\nb"\r\nc"d\r\n']);

    expect(skipped).toEqual([{ line: 4, reason: "quote inside an unquoted field" }]);
  });

  it.each([
    ['task\n"a" b\n', { line: 2, reason: "closing quote not followed by a comma or the end of the line" }],
    ['task\na\n"open', { line: 3, reason: "quote not closed" }],
    [`task\n${"x".repeat(2000)}\n`, { line: 2, reason: "record too large" }],
  ])("says why csv-parse skipped a record of %j", async (text, error) => {
    const { skipped } = await parse([text]);

    expect(skipped).toEqual([error]);
  });

  // No input is known to make csv-parse skip a record for another reason (the record guard keeps the known ones
  // from it): a later csv-parse's new kind of error still gets a reason.
  it("reports a record skipped for a reason it does not know as not valid CSV", () => {
    const skipped: RowError[] = [];
    const parser = new CsvRecordParser({
      quote: '"',
      maxRecordSize: 1024,
      onSkipped: (error) => skipped.push(error),
    });

    parser.emit(
      "skip",
      Object.assign(new Error("new in csv-parse"), { code: "CSV_SOMETHING_NEW", lines: 3 }),
    );

    expect(skipped).toEqual([{ line: 3, reason: "not valid CSV" }]);
  });

  it("counts a line break that is a whole field", async () => {
    const { records } = await parse(['task,x\n"\n",1\nnext,2\n']);

    expect(records.map((record) => record.line)).toEqual([1, 2, 4]);
  });

  it("takes a CR that ends a field off the count only when it is the file's last byte, not a chunk's", async () => {
    const { records } = await parse(['task,o\nx,"a\rb\r"\ny,1\r', "\nz,2\n"]);

    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 4]);
  });

  it("keeps the count right when an empty chunk follows a CR that is the file's last byte", async () => {
    const { records } = await parse(["task\nfirst\nsecond\r\r", ""]);

    expect(records.map((record) => record.line)).toEqual([1, 2, 3]);
  });
});
