import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import {
  bodyOf,
  chunked,
  chunkSizes,
  type GeneratedCsv,
  generatedCsv,
  isBlank,
} from "../test-support/generated-csv.js";
import { readImportHeader } from "./import-header.js";
import { type RowRead, readTodoRows } from "./read-todo-rows.js";
import { readTodoRow } from "./todo-row.js";

async function readAll(
  chunks: Buffer[],
  quote: '"' | "'" | "auto",
  maxRecordBytes: number,
): Promise<RowRead[]> {
  const reads: RowRead[] = [];
  for await (const batch of readTodoRows(bodyOf(chunks), { quote, maxRecordBytes })) reads.push(...batch);
  // Rejections may come a little early: in line order, reads are what the file says.
  return reads.sort((a, b) => a.line - b.line);
}

/** What reading `file` must yield: the header, then for each record its row, or why it is refused. */
function expectedReads(file: GeneratedCsv, maxRecordBytes: number): RowRead[] {
  const tooLarge = `record larger than ${maxRecordBytes} bytes`;
  if (Buffer.byteLength(file.header.join(",")) > maxRecordBytes) {
    return [{ kind: "header-rejected", line: 1, reason: `header: ${tooLarge}` }];
  }
  const columns = readImportHeader(file.header);
  if ("reason" in columns) throw new Error(`The generator wrote an unusable header: ${columns.reason}`);
  const q = file.quote;
  return [
    { kind: "header", line: 1 },
    ...file.records.flatMap((record): RowRead[] => {
      const { fields, line, size, broken } = record;
      if (broken) {
        // A record over the limit where its error shows is dropped for its size; an open quote, at the end.
        const { rule, bytesBefore } = broken;
        const reason =
          (rule === "unclosed" ? size : bytesBefore) > maxRecordBytes
            ? tooLarge
            : rule === "inside"
              ? `quote (${q}) inside an unquoted field`
              : rule === "after"
                ? `closing quote (${q}) not followed by a comma or the end of the line`
                : `quote (${q}) not closed`;
        return [{ kind: "rejected", line, reason }];
      }
      if (size > maxRecordBytes) return [{ kind: "rejected", line, reason: tooLarge }];
      return isBlank(record) ? [] : [readTodoRow({ fields, line }, columns)];
    }),
  ];
}

/** Limits small enough that some records are over them, exactly some record's size, one less, or the default. */
function maxRecordBytesFor(file: GeneratedCsv): fc.Arbitrary<number> {
  const sizes = file.records.map(({ size }) => size).filter((size) => size > 0 && Number.isFinite(size));
  return fc.oneof(
    fc.integer({ min: 24, max: 160 }),
    fc.constant(64 * 1024),
    ...(sizes.length > 0
      ? [
          fc
            .tuple(fc.constantFrom(...sizes), fc.integer({ min: -1, max: 1 }))
            .map(([size, delta]) => Math.max(1, size + delta)),
        ]
      : []),
  );
}

/** A value as the reader sees it, unquoted: without the spaces and tabs before it (`"a", "b"`). */
const leftTrimmed = (value: string) => value.replace(/^[ \t]+/, "");
/**
 * Whether a value written unquoted reads as one wrapped in ': spaces and tabs are outside the quotes on both
 * sides (`'TBD'<tab>` is TBD quoted, then a blank), so they are trimmed on both before looking.
 */
const isWrappedInSingleQuotes = (written: string) => {
  const value = written.replace(/^[ \t]+|[ \t]+$/g, "");
  return value.length >= 2 && value.startsWith("'") && value.endsWith("'");
};

describe("readTodoRows, on generated CSV files cut into chunks", () => {
  it("reads every record as written, on the line it starts on, whatever the chunks (quote given)", async () => {
    const files = generatedCsv({ broken: true }).chain((file) =>
      fc.tuple(fc.constant(file), maxRecordBytesFor(file)),
    );
    await fc.assert(
      fc.asyncProperty(files, chunkSizes, async ([file, max], sizes) => {
        const reads = await readAll(chunked(file.bytes, sizes), file.quote, max);

        expect(reads).toEqual(expectedReads(file, max));
      }),
      propertyRuns(300),
    );
  });

  it.each([
    [
      "quoted with \" where needed or everywhere, no value of its first 10 lines wrapped in ' unquoted",
      { quote: fc.constant<'"'>('"') },
      // A value such as 'TBD' or '' written as it is reads as well with ' as with ": detection then takes the
      // ' as quotes (see detectQuote), and the value as TBD or empty.
      (file: GeneratedCsv) =>
        file.quoteAll ||
        !file.records.some(({ fields, line }) => line <= 11 && fields.some(isWrappedInSingleQuotes)),
    ],
    [
      "quoted with ' everywhere, as the workshop's file is",
      { quote: fc.constant<"'">("'"), quoteAll: fc.constant(true) },
      () => true,
    ],
    [
      "quoted with ' where needed, with such a field in its first 10 lines and none starting with \"",
      { quote: fc.constant<"'">("'"), quoteAll: fc.constant(false) },
      (file: GeneratedCsv) =>
        file.records.some(({ fields, line }) => line <= 11 && fields.some((field) => /[,']/.test(field))) &&
        file.records.every(({ fields }) => !fields.some((field) => leftTrimmed(field).startsWith('"'))),
    ],
    [
      "quoted with ' everywhere, some values holding a CR alone, which an LF or CRLF file reads as text",
      { quote: fc.constant<"'">("'"), quoteAll: fc.constant(true), lineBreaks: "bare-cr" as const },
      (file: GeneratedCsv) => file.lineEnding !== "\r",
    ],
  ])(
    "reads a file %s with the quote it was written with, when asked to detect it",
    async (_, shape, family) => {
      // Records of the header's width, values without line breaks: detection guesses from the first lines, and
      // those of other files may read as well or better with the other quote (the README's "read better").
      const files = generatedCsv({ ragged: false, lineBreaks: false, ...shape }).filter(family);
      await fc.assert(
        fc.asyncProperty(files, chunkSizes, async (file, sizes) => {
          const reads = await readAll(chunked(file.bytes, sizes), "auto", 64 * 1024);

          expect(reads).toEqual(expectedReads(file, 64 * 1024));
        }),
        propertyRuns(200),
      );
    },
  );
});
