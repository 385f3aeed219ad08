import type { TransformCallback, TransformOptions } from "node:stream";
import { type CsvError, type Options, Parser } from "csv-parse";
import type { RowError } from "./import-report.js";

/** One CSV record and the line it starts on (LFs counted; the first line is 1). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

export interface CsvRecordParserOptions {
  quote: '"' | "'";
  /** A safety net only: `CsvRecordGuard` keeps longer records from the parser. */
  maxRecordSize: number;
  /** A record the parser skipped as malformed; `line` is where it found the problem. */
  onSkipped: (error: RowError) => void;
}

const LINE_BREAK = /[\r\n]/;
const CR = Buffer.from("\r");

/** What `CsvRecordParser` changes of csv-parse's inner state (csv-parse 7; the tests fail if it moves). */
interface CsvParseInternals {
  options: { rtrim: boolean };
  state: { timchars: Buffer[]; expectedRecordLength: number; record: unknown[]; wasQuoting: boolean };
  __onRecord: (...args: unknown[]) => unknown;
  __onField: () => unknown;
}

const SKIP_REASONS: Partial<Record<string, string>> = {
  CSV_INVALID_CLOSING_QUOTE: "closing quote not followed by a comma or the end of the line",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "closing quote not followed by a comma or the end of the line",
  INVALID_OPENING_QUOTE: "quote inside an unquoted field",
  CSV_QUOTE_NOT_CLOSED: "quote not closed",
  CSV_MAX_RECORD_SIZE: "record too large",
};

/**
 * csv-parse, set up for imports. Yields arrays of `CsvRecord`s, the records parsed from one input chunk
 * together, so that consumers pay one await per chunk instead of one per record; `readableHighWaterMark: 1`
 * keeps back-pressure at about one chunk's worth of records.
 *
 * csv-parse tells where a record ends (`info.lines`), and only through `info: true`, which copies its whole
 * info object for every record and halves its speed. This subclass reads the live counter as each record is
 * pushed, which is the moment that snapshot is taken, and subtracts the line breaks inside the fields. It also
 * corrects a count that differs from editors: csv-parse counts every CR in a field as a line (a CRLF inside a
 * quoted field counts twice), where editors count LFs.
 */
export class CsvRecordParser extends Parser {
  /** Lines csv-parse has counted that editors do not: the CRs inside fields so far. */
  private extraLines = 0;
  /** csv-parse's line and empty-line counts when the last record was pushed. */
  private lastLines = 0;
  private lastEmptyLines = 0;
  /** Whether what csv-parse was given so far ends with a CR, and whether it is flushing (the input has ended). */
  private endsWithCr = false;
  private flushing = false;
  /** Whether the last chunk's CR, its last byte, is held back until it is known not to be the file's last. */
  private heldCr = false;
  private batch: CsvRecord[] = [];

  constructor({ quote, maxRecordSize, onSkipped }: CsvRecordParserOptions) {
    const options: Options & TransformOptions = {
      bom: true,
      delimiter: ",",
      // Records end at LF or CRLF (`CrLineEndingsToLf` turns a CR file into an LF one). Left to guess from the
      // first line, csv-parse would take the other as text: an LF in a CRLF file, where an editor shows a new line.
      record_delimiter: ["\r\n", "\n"],
      quote,
      // The escape defaults to `"` whatever the quote; with `'` quotes it would eat every `"` in a field.
      escape: quote,
      // Spaces and tabs around a comma (`"Buy milk" , "Alice"`, as lists are typed by hand) are not part of a
      // quoted field: a quote after them opens it, and they may follow its closing quote. Without these two,
      // csv-parse refuses the record. csv-parse trims line breaks too, and unquoted fields, see below.
      ltrim: true,
      rtrim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      max_record_size: maxRecordSize,
      readableHighWaterMark: 1,
      // Takes one chunk at a time from the guard, so that back-pressure reaches the body.
      writableHighWaterMark: 1,
    };
    super(options);
    // csv-parse's left trim drops CRs (and LFs) as well as blanks: a CR alone at the start of an unquoted field,
    // text in an LF file, would be lost, and with it a line of the count below. Only spaces and tabs are trimmed
    // (a test fails if csv-parse stops reading this list). The row schema trims the rest.
    const { api } = this as unknown as { api: CsvParseInternals };
    api.state.timchars = [Buffer.from(" "), Buffer.from("\t")];
    // Its right trim also cuts the end of every unquoted field with `trimEnd`, which drops a CR alone there (and
    // so a line of the count) with the blanks. It is kept for the blanks after a closing quote only: an unquoted
    // field is read whole, and the row schema trims it.
    const onField = api.__onField;
    api.__onField = function (this: CsvParseInternals) {
      if (this.state.wasQuoting) return onField.call(this);
      this.options.rtrim = false;
      try {
        return onField.call(this);
      } finally {
        this.options.rtrim = true;
      }
    };
    // With `relax_column_count`, csv-parse still builds an error (a stack, a copy of the record) for each record of
    // another width than the first, and drops it: 15 µs a row, five times a valid row's whole cost, for a file of
    // ragged or blank (`,,,,`) lines. Each record is its own expected width; `readTodoRow` checks widths.
    const onRecord = api.__onRecord;
    api.__onRecord = function (this: CsvParseInternals, ...args: unknown[]) {
      this.state.expectedRecordLength = this.state.record.length;
      return onRecord.apply(this, args);
    };
    // Without an `on_skip` option, csv-parse reports a skipped record as a "skip" event. After a bad closing
    // quote it stays inside the field and may report the same record again: once per line is enough.
    let lastSkipped = 0;
    this.on("skip", (error: CsvError) => {
      // Off by the CRs inside the skipped record itself, which csv-parse counted as lines and which are not
      // known here: only the line reported for a rejected record, never a row's, and so never a todo's id.
      const line = Number(error.lines) - this.extraLines;
      if (line === lastSkipped) return;
      lastSkipped = line;
      onSkipped({ line, reason: SKIP_REASONS[error.code] ?? "not valid CSV" });
    });
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    let input = chunk;
    if (input.length > 0) {
      // A CR that is the file's last byte ends its last line, as an editor shows it, and is dropped: csv-parse
      // would wait for its LF, then read it as text after a field, and refuse a last record that ends `"quoted"`
      // before it. Held back until the next chunk shows it is not the last byte (that chunk is then copied).
      if (this.heldCr) input = Buffer.concat([CR, input]);
      this.heldCr = input[input.length - 1] === 13;
      if (this.heldCr) input = input.subarray(0, -1);
      this.endsWithCr = input[input.length - 1] === 13;
    }
    super._transform(input, encoding, (error, data) => {
      // An empty batch too: a chunk of records the guard dropped must still make the consumer take a step.
      this.pushBatch(true);
      callback(error, data);
    });
  }

  override _flush(callback: TransformCallback): void {
    this.flushing = true;
    super._flush((error, data) => {
      this.pushBatch();
      callback(error, data);
    });
  }

  /** csv-parse pushes each record as it completes it; they are collected here and pushed by chunk. */
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) {
      this.pushBatch();
      return super.push(null, encoding);
    }
    const fields = chunk as string[];
    const { lines, empty_lines: emptyLines } = this.info;
    let lineFeeds = 0;
    let carriageReturns = 0;
    // Only a record that ends further than one line after the last one (empty lines aside) can hold line breaks.
    if (lines - this.lastLines !== 1 + emptyLines - this.lastEmptyLines) {
      for (const field of fields) {
        if (!LINE_BREAK.test(field)) continue;
        for (let i = 0; i < field.length; i++) {
          const code = field.charCodeAt(i);
          if (code === 10) lineFeeds += 1;
          else if (code === 13) carriageReturns += 1;
        }
      }
      // A CR that is the last byte csv-parse was given is not counted by it, as it waits for an LF never given.
      if (this.flushing && this.endsWithCr && fields.at(-1)?.endsWith("\r")) carriageReturns -= 1;
      this.extraLines += carriageReturns;
    }
    this.lastLines = lines;
    this.lastEmptyLines = emptyLines;
    this.batch.push({ fields, line: lines - this.extraLines - lineFeeds });
    return true;
  }

  private pushBatch(evenEmpty = false): void {
    if (this.batch.length === 0 && !evenEmpty) return;
    const batch = this.batch;
    this.batch = [];
    super.push(batch);
  }
}
