import { describe, expect, it } from "vitest";
import { detectQuote } from "./detect-quote.js";

const bytes = (text: string) => Buffer.from(text, "utf8");
const whole = { endOfFile: true };

describe("detectQuote", () => {
  it("picks the single quote for the workshop's sample file", () => {
    const sample = bytes(
      "task,name,dueDate\n'check serverless.com example','John Doe','10-12-2017'\n'check serverless.com plugins','John Doe','11-12-2017'\n",
    );

    expect(detectQuote(sample, whole)).toBe("'");
  });

  it.each([
    ["double-quoted fields", 'task,name\n"a, b","John"\n'],
    ["no quoted field at all", "task,name\nWater the plants,John\n"],
    ["a single-quoted field beside a double-quoted one", "task,name\n'a','b'\n\"c\",d\n"],
    ["an apostrophe inside a word", "task,name\nCall O'Brien,John's\n"],
    ["a header and no data lines", "'task','name'\n"],
    ["an empty file", ""],
  ])("picks the double quote for %s", (_case, text) => {
    expect(detectQuote(bytes(text), whole)).toBe('"');
  });

  it.each([
    [
      "single quotes only around the fields with a comma",
      "task,name,dueDate\n'Buy milk, eggs',John Doe,10-12-2017\n'Call Ann, then Bob',John Doe,11-12-2017\n",
      "'",
    ],
    [
      "one 'TBD' among plain fields, and an apostrophe starting a field",
      "task,name\n'TBD',Ann\n'80s party playlist,Bob\nCall mum,Ann\nWater plants,Ann\nFix Bob's bike,Ann\n",
      '"',
    ],
    [
      "double quotes around the fields with a comma, and an apostrophe starting another",
      'task,name\n"Buy milk, eggs",Ann\n\'Tis the season,Bob\n',
      '"',
    ],
    ["a single-quoted field with a line break", "task,name\n'a','b'\n'c\nd','e'\n", "'"],
    // Both quotes read these lines alike: a field wrapped in ' with no field starting with " settles it.
    ["one 'TBD' among plain fields", "task,name\n'TBD',Ann\nCall mum,Bob\n", "'"],
    ["an empty name written ''", "task,name\nCall mum,''\n", "'"],
    // As typed by hand: a blank after each comma.
    ["the workshop's file with a blank after each comma", "task, name\n'Buy milk, eggs', 'John Doe'\n", "'"],
    ["a tab before one 'TBD'", "task,name\nCall mum,\t'TBD'\n", "'"],
    // And blanks around the commas.
    [
      "the workshop's file with blanks around the commas",
      "task , name\n'Buy milk, eggs' , 'John Doe'\n",
      "'",
    ],
    ["a blank after one 'TBD'", "task,name\n'TBD' ,Call mum\n", "'"],
    // A tie (' refuses O'Brien, " keeps the quotes of 'TBD'), settled by the field wrapped in ', blanks aside.
    ["a blank after 'TBD', then O'Brien", "task,name\n'TBD' ,O'Brien\n", "'"],
    ["a blank before a field in \" and one in '", "task,name\n 'TBD', \"Ann\"\n", '"'],
  ])("reads the lines with each quote and picks the one that reads them better: %s", (_case, text, quote) => {
    expect(detectQuote(bytes(text), { endOfFile: false })).toBe(quote);
    expect(detectQuote(bytes(text), whole)).toBe(quote);
  });

  // Read with ", such a file's every value kept its ' quotes (and every date was refused): one unquoted or
  // undoubled apostrophe made the lines read "better" with ", whose reading fits every record to the header.
  it.each([
    ["one value unquoted, with an apostrophe", "task,name\n'check it',O'Brien\n'plan it','John Doe'\n"],
    ["one apostrophe not doubled inside a value", "task,name\n'Meet O'Brien','Ann'\n'plan it','John Doe'\n"],
    ["such lines in most of the sample", "task,name\n'a',O'Brien\n'b',O'Neill\n'c','Ann'\n"],
  ])("picks the single quote for a single-quoted file with %s", (_case, text) => {
    expect(detectQuote(bytes(text), whole)).toBe("'");
  });

  it("reads a sample that ends inside a single-quoted field running over lines", () => {
    const sample = bytes("task,name\n'a','b'\n'c','d'\n'multi\nline','e'\n'f','g'\n'h\ni");

    expect(detectQuote(sample, { endOfFile: false })).toBe("'");
  });

  it("answers alike for a file with LF and with CR line endings, whose sample is read to its end", () => {
    const lines = ["task,name", ...Array.from({ length: 9 }, (_, i) => `Task ${i + 1},Ann`)];
    lines.push("'Plan the trip:\nflights, hotel',Bob", "Task 11,Cy");
    const lf = `${lines.join("\n")}\n`;
    const cr = lf.replaceAll("\n", "\r");

    // As the caller reads ahead: up to the 11th LF for the LF file, to the end for the CR one.
    expect(detectQuote(bytes(lf), { endOfFile: false })).toBe("'");
    expect(detectQuote(bytes(cr), whole)).toBe("'");
  });

  it.each([
    ["an LF file", "\n"],
    ["a CRLF file", "\r\n"],
  ])(
    "picks the single quote for %s whose quoted field holds a CR alone, which the reader takes as text",
    (_, eol) => {
      const text = `task${eol}'first\rsecond'${eol}'third'${eol}`;

      expect(detectQuote(bytes(text), whole)).toBe("'");
    },
  );

  it("reads past a BOM and CRLF line ends", () => {
    expect(detectQuote(bytes("\uFEFFtask,name\r\n'a','b'\r\n"), whole)).toBe("'");
  });

  it("skips empty lines and looks at no more than the 10 lines after the header, empty ones included", () => {
    const unquoted = Array.from({ length: 10 }, (_, i) => `task ${i},x`).join("\n");
    const singleQuoted = Array.from({ length: 9 }, (_, i) => `'task ${i}',x`).join("\n");

    expect(detectQuote(bytes(`task,name\n\n'a',b\n`), whole)).toBe("'");
    expect(detectQuote(bytes(`task,name\n${unquoted}\n'a','b'\n`), whole)).toBe('"');
    // The "b" is on the 11th line after the header: out of the sample, although only 10 lines hold text.
    expect(detectQuote(bytes(`task,name\n\n${singleQuoted}\n"b",x\n`), whole)).toBe("'");
  });

  it("ignores a last line the sample may have cut, unless the sample is the whole file", () => {
    const sample = bytes("task,name\n'check it','John'");

    expect(detectQuote(sample, { endOfFile: false })).toBe('"');
    expect(detectQuote(sample, whole)).toBe("'");
  });

  // csv-parse reports a quote inside an unquoted field once per quote, each with a copy of the field so far: a
  // 64 KiB line of them took 16 s, in one synchronous step (an upload that held the server's event loop). How
  // much of such a sample is read is counted in detect-quote.errors.test.ts.
  it.each([
    ["double", '"', "'"],
    ["single", "'", '"'],
  ])("reads a line of %s quotes inside a field as a short one", (_case, quote, picked) => {
    const line = (count: number) => bytes(`task\n'x'\na${quote.repeat(count)}\n`);

    expect(detectQuote(line(64 * 1024 - 16), whole)).toBe(picked);
    expect(detectQuote(line(50), whole)).toBe(picked);
  });

  it("looks at the first 64 KiB only", () => {
    const header = `task,${"x".repeat(64 * 1024)}\n`;

    expect(detectQuote(bytes(`${header}'a','b'\n`), { endOfFile: true })).toBe('"');
  });

  it("does not look at a line cut at 64 KiB, even in a file given whole", () => {
    // Read whole, the cut line would open a quote with ' that it never closes.
    const sample = bytes(`task,name\n'a','${"y".repeat(70_000)}'\n`);

    expect(detectQuote(sample, { endOfFile: true })).toBe('"');
  });

  it.each([
    // ' reads the first line, " the second: a tie, which nothing wrapped in ' settles for '.
    ["a tie with no field wrapped in '", "task,name\n'x, y',z\nO'Brien,z\n", '"'],
    ["the same tie with an empty name written ''", "task,name\n'x, y',''\nO'Brien,z\n", "'"],
  ])("settles %s by the fields wrapped in '", (_case, text, quote) => {
    expect(detectQuote(bytes(text), whole)).toBe(quote);
  });

  it.each([
    // `''` read with " is a value that keeps its quotes, as `'TBD'` is: ' fits better, and the field that starts
    // with " is not asked.
    [
      "an empty name written '', a line in ' and a field in \"",
      "task,name\nCall mum,''\n'a','b'\n\"Ann\",Bob\n",
    ],
    // A value quoted with ' that holds "s (`'"Ann"'`) keeps no quote that is not its own.
    ['a value in \' that holds "s, and a field in "', "task,name\n'\"Ann\"','Bob'\n\"x\",y\n"],
  ])("picks the single quote that fits better for %s", (_case, text) => {
    expect(detectQuote(bytes(text), whole)).toBe("'");
  });

  it("trims the blanks of a 64 KiB field in one pass, where a regular expression took 2 s a sample", () => {
    // A tie (each reading fits the long line and misfits the last), settled by the fields' blanks trimmed: the
    // regular expression that trimmed them tried again at every blank of the inner run. Ten samples, so that the
    // old way far outruns vitest's timeout of 5 s (some 20 s here); the new one takes milliseconds.
    const blanks = " \t".repeat(32 * 1024 - 16);
    const sample = bytes(`task,name\na${blanks}a,b\n'a',"b"\n`);

    const quotes = Array.from({ length: 10 }, () => detectQuote(sample, whole));

    expect(sample.length).toBeLessThanOrEqual(64 * 1024);
    expect(quotes).toEqual(Array(10).fill('"'));
  });

  it("reads a file of exactly 64 KiB given whole to its last line", () => {
    const start = "task,name\n'Buy milk, eggs',";
    const sample = bytes(`${start}${"x".repeat(64 * 1024 - start.length)}`);

    expect(sample.length).toBe(64 * 1024);
    expect(detectQuote(sample, whole)).toBe("'");
  });
});
