import fc from "fast-check";

/**
 * CSV files of todos as a CSV writer would write them, with what reading them must find: each data record's
 * fields, the line it starts on and its size. Shared by the csv-import property tests.
 */
export interface GeneratedCsv {
  quote: '"' | "'";
  /** The line ending after the header; the records' own vary with it (see `endingOf`). */
  lineEnding: "\n" | "\r\n" | "\r";
  bom: boolean;
  /** Every field quoted (as the workshop's file is), or only those that must be. */
  quoteAll: boolean;
  /** Written before each quoted field, as lists typed by hand have them (`"a", "b"`): not part of the value. */
  blanksBeforeQuotes: string;
  /** Written after each quoted field (`"a" , "b"`): not part of the value either. */
  blanksAfterQuotes: string;
  header: string[];
  records: GeneratedRecord[];
  /** The file's bytes. */
  bytes: Buffer;
}

export interface GeneratedRecord {
  /** The values as written; a bare CR in them reads as an LF in a file of CR line endings. */
  fields: string[];
  /** The line the record starts on, line breaks counted as an editor counts them (the header is line 1). */
  line: number;
  /** Its bytes, line ending excluded (for an unclosed quote: to the end of the file). */
  size: number;
  /**
   * How its quotes break CSV's rules, if they do, and how many of its bytes come before the byte that shows it
   * (none for a quote still open at the end of the file).
   */
  broken?: { rule: QuoteRule; bytesBefore: number };
}

/** Whether a record's fields are all empty or blank: it is read as an empty line is, skipped. */
export function isBlank({ fields }: GeneratedRecord): boolean {
  return fields.every((field) => field.trim() === "");
}

/** Line breaks in values: any, none, or CRs alone (text in an LF or CRLF file, line breaks in a CR one). */
type LineBreaks = boolean | "bare-cr";

/** The quote errors of a record: a quote in an unquoted field, text after a closing quote, a quote never closed. */
export type QuoteRule = "inside" | "after" | "unclosed";

/** A character written as the byte 0xFF, which is no UTF-8: it reads as U+FFFD. */
export const INVALID_BYTE = "\ue000";

const COLUMNS = ["task", "name", "dueDate", "checked", "notes"] as const;

/** Text with what CSV must quote (commas, both quotes, line breaks) and multi-byte UTF-8 (2, 3 and 4 bytes). */
const textChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(..."abcxyz ABC 012") },
  { weight: 2, arbitrary: fc.constantFrom(",", '"', "'", "\n", "\r", "\r\n") },
  {
    weight: 2,
    arbitrary: fc.constantFrom("é", "ß", "€", "中", "\u{1F680}", "\u{1D400}", "\u05e9", "\u00a0"),
  },
  { weight: 1, arbitrary: fc.constantFrom("\t", "\u0007", "\u200b", "\ufeff", "\ufffd", INVALID_BYTE) },
);
const text = (maxLength: number) => fc.string({ unit: textChar, maxLength });
const plainText = fc.string({
  unit: fc.constantFrom(..."abcxyz ABC 012é€\u{1F680}"),
  minLength: 1,
  maxLength: 12,
});

const dueDate = fc.oneof(
  fc.constant(""),
  fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }).chain((date) => {
    const iso = date.toISOString().slice(0, 10);
    const [year, month, day] = iso.split("-");
    return fc.constantFrom(iso, `${day}-${month}-${year}`, ` ${iso}`, `${day}-${month}-${year}\n`);
  }),
  fc.constantFrom("2023-02-29", "31-04-2020", "12/10/2017", "tomorrow"),
  text(12),
);
const checked = fc.oneof(fc.constantFrom("", "true", "FALSE", "Yes", "no", " 1 ", "0", "x", "X"), text(4));

/** A value for each column, most of them valid, some not (empty, too long, control characters...). */
function fieldOf(column: string): fc.Arbitrary<string> {
  switch (column) {
    case "task":
      return fc.oneof(
        { weight: 4, arbitrary: plainText },
        { weight: 2, arbitrary: text(20) },
        fc.constant(""),
      );
    case "name":
      return fc.oneof(fc.constant(""), plainText, text(12));
    case "dueDate":
      return dueDate;
    case "checked":
      return checked;
    default:
      return text(30);
  }
}

interface Shape {
  quote: '"' | "'";
  lineEnding: "\n" | "\r\n" | "\r";
  bom: boolean;
  quoteAll: boolean;
  blanksBeforeQuotes: string;
  blanksAfterQuotes: string;
  header: string[];
}

const shape = (quote: fc.Arbitrary<'"' | "'">, quoteAll: fc.Arbitrary<boolean>): fc.Arbitrary<Shape> =>
  fc.record({
    quote,
    lineEnding: fc.constantFrom("\n" as const, "\r\n" as const, "\r" as const),
    bom: fc.boolean(),
    // Every field quoted, as the workshop's file is; else only those that need it.
    quoteAll,
    blanksBeforeQuotes: fc.constantFrom("", "", " ", "\t "),
    blanksAfterQuotes: fc.constantFrom("", "", " ", " \t"),
    header: fc
      .shuffledSubarray([...COLUMNS], { minLength: 1 })
      .map((columns) => (columns.includes("task") ? columns : ["task", ...columns]))
      .chain((columns) => fc.shuffledSubarray(columns, { minLength: columns.length }))
      .chain((columns) =>
        fc.tuple(...columns.map((column) => fc.constantFrom(column, column.toUpperCase(), ` ${column}`))),
      ),
  });

interface RecordPlan {
  fields: readonly string[];
  /** Empty lines before it. */
  emptyLinesBefore: number;
  /** In a file of LF or CRLF line endings, the other of the two ends this record. */
  otherEnding: boolean;
  /** A quote error in the field at `at` (modulo the width); an unclosed quote only in a file's last record. */
  broken: { rule: QuoteRule; at: number } | undefined;
}

function recordPlan(
  header: readonly string[],
  ragged: boolean,
  lineBreaks: LineBreaks,
  broken: boolean,
): fc.Arbitrary<RecordPlan> {
  const columns = header.map((name) => name.trim().toLowerCase());
  const fields = fc.tuple(
    ...columns.map((column) =>
      fieldOf(column === "duedate" ? "dueDate" : column).map((field) =>
        lineBreaks === true
          ? field
          : lineBreaks === "bare-cr"
            ? field.replace(/\r?\n/g, "\r")
            : field.replace(/[\r\n]/g, " "),
      ),
    ),
  );
  // A row a spreadsheet saves empty but formatted: `,,` (or blanks, or `"",""`).
  const blank = fc.tuple(...columns.map(() => fc.constantFrom("", " ")));
  return fc.record({
    fields: fc.oneof(
      {
        weight: 9,
        arbitrary: ragged
          ? fc.oneof(
              { weight: 9, arbitrary: fields },
              // A record of another width than the header's.
              {
                weight: 1,
                arbitrary: fields.chain((values) =>
                  fc.constantFrom(values.length > 1 ? values.slice(1) : [...values, "x"], [
                    ...values,
                    "extra",
                  ]),
                ),
              },
            )
          : fields,
      },
      { weight: 1, arbitrary: blank },
    ),
    emptyLinesBefore: fc.oneof(
      { weight: 9, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) },
    ),
    otherEnding: fc.boolean(),
    broken: broken
      ? fc.oneof(
          { weight: 5, arbitrary: fc.constant(undefined) },
          {
            weight: 1,
            arbitrary: fc.record({
              rule: fc.constantFrom<QuoteRule>("inside", "after", "unclosed"),
              at: fc.nat(),
            }),
          },
        )
      : fc.constant(undefined),
  });
}

/**
 * A file: a header and up to `maxRecords` records, with a line ending after the last one or not; `ragged`
 * lets some records have another width than the header, `lineBreaks` some values hold line breaks (or, with
 * "bare-cr", CRs alone and no LF), `broken` some records break CSV's quoting rules; `quote` and `quoteAll` pin
 * how the file quotes.
 */
export function generatedCsv({
  maxRecords = 16,
  ragged = true,
  lineBreaks = true,
  broken = false,
  quote = fc.constantFrom<'"' | "'">('"', "'"),
  quoteAll = fc.boolean(),
}: {
  maxRecords?: number;
  ragged?: boolean;
  lineBreaks?: LineBreaks;
  broken?: boolean;
  quote?: fc.Arbitrary<'"' | "'">;
  quoteAll?: fc.Arbitrary<boolean>;
} = {}): fc.Arbitrary<GeneratedCsv> {
  return shape(quote, quoteAll).chain((file) =>
    fc
      .record({
        plans: fc.array(recordPlan(file.header, ragged, lineBreaks, broken), { maxLength: maxRecords }),
        endsWithLineEnding: fc.boolean(),
      })
      .map(({ plans, endsWithLineEnding }) => write(file, plans, endsWithLineEnding)),
  );
}

function write(file: Shape, plans: RecordPlan[], endsWithLineEnding: boolean): GeneratedCsv {
  const parts: Buffer[] = [];
  if (file.bom) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  parts.push(Buffer.from(file.header.join(",")));
  let line = 1;
  const records: GeneratedRecord[] = [];
  plans.forEach((plan, index) => {
    const ending = endingOf(file.lineEnding, index === 0 ? false : plans[index - 1]!.otherEnding);
    parts.push(Buffer.from(ending));
    line += 1;
    for (let empty = 0; empty < plan.emptyLinesBefore; empty++) {
      parts.push(Buffer.from(file.lineEnding));
      line += 1;
    }
    const last = index === plans.length - 1;
    const rule = plan.broken && (plan.broken.rule !== "unclosed" || last) ? plan.broken.rule : undefined;
    if (rule) {
      const { bytes, bytesBefore } = serializeBroken(plan.fields, plan.broken!.at, rule, file);
      parts.push(bytes);
      records.push({ fields: [], line, size: bytes.length, broken: { rule, bytesBefore } });
      return;
    }
    const written = serialize(plan.fields, file);
    parts.push(written);
    const fields = plan.fields.map((field) => readBack(field, file.lineEnding));
    records.push({ fields, line, size: written.length });
    line += fields.reduce((count, field) => count + lineFeeds(field), 0);
  });
  if (endsWithLineEnding) {
    const ending = endingOf(file.lineEnding, plans.at(-1)?.otherEnding ?? false);
    parts.push(Buffer.from(ending));
    // A quote never closed holds the rest of the file.
    const last = records.at(-1);
    if (last?.broken?.rule === "unclosed") last.size += ending.length;
  }
  return {
    quote: file.quote,
    lineEnding: file.lineEnding,
    bom: file.bom,
    quoteAll: file.quoteAll,
    blanksBeforeQuotes: file.blanksBeforeQuotes,
    blanksAfterQuotes: file.blanksAfterQuotes,
    header: file.header,
    records,
    bytes: Buffer.concat(parts),
  };
}

function endingOf(lineEnding: Shape["lineEnding"], other: boolean): string {
  if (lineEnding === "\r" || !other) return lineEnding;
  return lineEnding === "\n" ? "\r\n" : "\n";
}

/** A record's bytes: fields joined by commas, quoted when they must be (or always), quotes inside doubled. */
function serialize(
  fields: readonly string[],
  { quote, quoteAll, blanksBeforeQuotes, blanksAfterQuotes }: Shape,
): Buffer {
  const texts = fields.map((field) => {
    // A record of one empty field is written `""`: unquoted, it is an empty line, which readers skip.
    const mustQuote = /[,\r\n]/.test(field) || field.includes(quote) || (fields.length === 1 && field === "");
    return quoteAll || mustQuote
      ? `${blanksBeforeQuotes}${quote}${field.replaceAll(quote, quote + quote)}${quote}${blanksAfterQuotes}`
      : field;
  });
  const pieces = texts.join(",").split(INVALID_BYTE);
  return Buffer.concat(
    pieces.flatMap((piece, index) =>
      index === 0 ? [Buffer.from(piece)] : [Buffer.from([0xff]), Buffer.from(piece)],
    ),
  );
}

/**
 * A record that breaks a quoting rule in its field `at`: `a"b` (a quote inside), `"a"b` (text after the closing
 * quote and the file's blanks after quotes) or `"a` (never closed). Its other fields are written as they should be, without line breaks, so that
 * the record ends on its line.
 */
function serializeBroken(
  values: readonly string[],
  at: number,
  rule: QuoteRule,
  file: Shape,
): { bytes: Buffer; bytesBefore: number } {
  const fields = values.map((value) => value.replace(/[\r\n]/g, " "));
  const index = at % Math.max(1, fields.length);
  const q = file.quote;
  const blanks = file.blanksAfterQuotes;
  const bad = rule === "inside" ? `a${q}b` : rule === "after" ? `${q}a${q}${blanks}b` : `${q}a`;
  const before = serialize(fields.slice(0, index), file);
  const prefix = index === 0 ? before : Buffer.concat([before, Buffer.from(",")]);
  const rest = rule === "unclosed" ? [] : fields.slice(index + 1);
  const after =
    rest.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from(","), serialize(rest, file)]);
  const bytesBefore =
    rule === "inside" ? prefix.length + 1 : rule === "after" ? prefix.length + 3 + blanks.length : Infinity;
  return { bytes: Buffer.concat([prefix, Buffer.from(bad), after]), bytesBefore };
}

/** What a reader gives back for a written value: U+FFFD for the byte that is no UTF-8, LFs for CRs in a CR file. */
function readBack(field: string, lineEnding: Shape["lineEnding"]): string {
  const value = field.replaceAll(INVALID_BYTE, "\ufffd");
  return lineEnding === "\r" ? value.replace(/\r(?!\n)/g, "\n") : value;
}

function lineFeeds(text: string): number {
  let count = 0;
  for (const char of text) if (char === "\n") count += 1;
  return count;
}

/**
 * Cuts bytes into chunks at the given sizes, taken in turn (`[1]`: byte by byte), so that chunks end inside
 * multi-byte characters, between a CR and its LF, between a quote and its double.
 */
export function chunked(bytes: Uint8Array, sizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let turn = 0;
  for (let at = 0; at < bytes.length; turn++) {
    const size = Math.max(1, sizes[turn % sizes.length] ?? bytes.length);
    chunks.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return chunks;
}

/** Chunk sizes: mostly small (a few bytes), sometimes one byte, sometimes larger. */
export const chunkSizes = fc.oneof(
  fc.constant([1]),
  fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
  fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }),
  fc.constant([1 << 20]),
);

/** The chunks as a body, one at a time. */
export async function* bodyOf(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}
