import { parse } from "csv-parse/sync";

/** The characters a CSV field may be quoted with. The workshop's sample file quotes with `'`. */
export type QuoteChar = '"' | "'";

/** How much of the file `detectQuote` looks at. */
export const QUOTE_SAMPLE_BYTES = 64 * 1024;

/** How many lines after the header `detectQuote` looks at, empty ones included. */
export const QUOTE_SAMPLE_LINES = 10;

/**
 * Guesses the quote character from the start of a file: `"` unless some field in the 10 lines after the
 * header opens with `'`. Then the header and those lines are parsed with each quote, and the one that reads
 * them better wins: more records of the header's width, fewer of another width, fewer quote errors, fewer
 * records with a value that would keep the other quote around it (`'John Doe'` read with `"`). When
 * both read them as well, `'` wins if some field is wrapped in `'` and none starts with `"`.
 *
 * So the workshop's file (every field in `'`) and a file that quotes in `'` only the fields with a comma
 * get `'`, while a file with an apostrophe at the start of a field (`'80s party`) keeps `"`: read with `'`,
 * its lines would run together. A field wrapped in `'` with no comma in it (`'TBD'`, `''`) reads as well
 * with either quote: alone among plain fields it is taken as quoted, and its value is `TBD` (or empty).
 *
 * Empty lines count among the 10: the caller reads ahead by line feeds, and a sample of lines that skipped
 * them would reach further into a file that arrives in large chunks than into the same file in small ones,
 * and could answer differently, so that a retry would parse the same bytes into other todos.
 *
 * `endOfFile` says whether `sample` reaches the end of the file: when it does not, its last line may be cut
 * and is not looked at, and a quote still open at the sample's end is no error.
 */
export function detectQuote(sample: Uint8Array, { endOfFile }: { endOfFile: boolean }): QuoteChar {
  const whole = endOfFile && sample.length <= QUOTE_SAMPLE_BYTES;
  // TextDecoder drops a UTF-8 BOM; `stream` keeps a character cut at the end from becoming U+FFFD.
  const text = new TextDecoder("utf-8").decode(sample.subarray(0, QUOTE_SAMPLE_BYTES), { stream: !whole });
  // Lines as the reader will see them (see `CrLineEndingsToLf`): in a file whose first line ends with a CR
  // alone, every CR ends a line; in any other, LF and CRLF do, and a CR alone is text (a field may hold one).
  const lines = text.split(CR_FILE.test(text) ? /\r\n|\r|\n/ : /\r?\n/);
  if (!whole) lines.pop();
  const sampled = lines.slice(0, 1 + QUOTE_SAMPLE_LINES);
  // Whether the sampled lines end the file: only then is a quote still open at their end an error. A file
  // of CR lines is read to its end to find 11 line breaks, where an LF file stops at its 11th LF: both must
  // answer alike.
  const toTheEnd = whole && lines.length <= sampled.length;

  // No field opens with `'`: nothing is quoted with it (a file of broken `"` quotes is not read as unquoted).
  if (!sampled.slice(1).some((line) => OPENS_WITH_SINGLE_QUOTE.test(line))) return '"';
  const double = fit(sampled, '"', toTheEnd);
  const single = fit(sampled, "'", toTheEnd);
  if (single !== double) return single > double ? "'" : '"';
  return looksSingleQuoted(sampled.slice(1)) ? "'" : '"';
}

// Blanks may come around a quoted field, as the reader trims them (`'Buy milk' , 'Alice'`).
const OPENS_WITH_SINGLE_QUOTE = /(?:^|,)[ \t]*'/;
const CR_FILE = /^[^\r\n]*\r(?!\n)/;

/** In `fit`'s records, a value this reading leaves unquoted but wrapped in the other quote. */
const KEEPS_QUOTES = Symbol("keeps quotes");

/**
 * How well `lines` read as CSV quoted with `quote`: +1 a record of the header's width, -1 another, an error, or
 * a value that would keep the other quote around it. Without that last rule, the workshop's file with one
 * apostrophe outside the quotes (`'Call',O'Brien`) read better with `"`, which fits every record to the
 * header and keeps every value's `'`s, than with `'`, which refuses that one line.
 */
function fit(lines: readonly string[], quote: QuoteChar, toTheEnd: boolean): number {
  const other = quote === '"' ? "'" : '"';
  let score = 0;
  let errors = 0;
  let width: number | undefined;
  let records: unknown[][];
  try {
    records = parse(lines.join("\n"), {
      quote,
      escape: quote,
      // As the reader parses (see `CsvRecordParser`): blanks may come before an opening quote and after a
      // closing one.
      ltrim: true,
      rtrim: true,
      record_delimiter: "\n",
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        if (toTheEnd || error?.code !== "CSV_QUOTE_NOT_CLOSED") score -= 1;
        if (++errors > MAX_ERRORS) throw new TooManyErrors();
        return undefined;
      },
      cast: (value, { quoting }) =>
        !quoting && value.length >= 2 && value.startsWith(other) && value.endsWith(other)
          ? KEEPS_QUOTES
          : value,
    });
  } catch (error) {
    if (error instanceof TooManyErrors) return Number.NEGATIVE_INFINITY;
    throw error;
  }
  for (const record of records) {
    if (width === undefined) width = record.length;
    else score += record.length === width && !record.includes(KEEPS_QUOTES) ? 1 : -1;
  }
  return score;
}

/**
 * Past this many errors a reading is stopped, and scores lowest: it loses to any reading that was not, and two
 * that were tie (then `looksSingleQuoted` decides). csv-parse builds each error with a copy of the field read so
 * far, and reports a quote inside an unquoted field once per quote: a line of `a"""…` cost the square of its
 * length, 16 s for a 64 KiB sample, in one synchronous step. Ten lines misread with the wrong quote (`O'Brien's`
 * with `'`) make a few errors each.
 */
const MAX_ERRORS = 100;

class TooManyErrors extends Error {}

/** Some field of `lines` is wrapped in `'`, and none starts with `"`. */
function looksSingleQuoted(lines: readonly string[]): boolean {
  let singleQuoted = false;
  for (const line of lines) {
    for (const text of line.split(",")) {
      const field = withoutOuterBlanks(text);
      if (field.startsWith('"')) return false;
      if (field.length >= 2 && field.startsWith("'") && field.endsWith("'")) singleQuoted = true;
    }
  }
  return singleQuoted;
}

/**
 * `text` without the spaces and tabs at either end, in one pass. Not `/^[ \t]+|[ \t]+$/g`: its second half tries
 * again at every blank of an inner run, which a field of 64 KiB of blanks between two letters made 2 s of one
 * synchronous step, for an upload of that size.
 */
function withoutOuterBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start += 1;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(start, end);
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
