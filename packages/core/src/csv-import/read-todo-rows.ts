import { addAbortSignal, pipeline } from "node:stream";
import { CrLineEndingsToLf, lineBreakSearchBytes } from "./cr-line-endings.js";
import { CsvRecordGuard } from "./csv-record-guard.js";
import { type CsvRecord, CsvRecordParser } from "./csv-record-parser.js";
import { detectQuote, QUOTE_SAMPLE_BYTES, QUOTE_SAMPLE_LINES, type QuoteChar } from "./detect-quote.js";
import { type ImportColumns, readImportHeader } from "./import-header.js";
import type { RowError } from "./import-report.js";
import { peekStream } from "./peek-stream.js";
import { type RowAccepted, type RowRejected, readTodoRow } from "./todo-row.js";

/** What reading found, record by record, in about line order (rejections may come a little early). */
export type RowRead =
  | { kind: "header"; line: number }
  | { kind: "header-rejected"; line: number; reason: string }
  | RowAccepted
  | RowRejected;

export interface ReadTodoRowsOptions {
  quote: QuoteChar | "auto";
  maxRecordBytes: number;
  signal?: AbortSignal;
  /** Told the size of every chunk as it is read. */
  onBytes?: (count: number) => void;
}

/**
 * Streams a CSV file of todos: yields the header, then one `row` (validated by `todoRowSchema`) or one
 * `rejected` per data record, in arrays (the records of one chunk, in arrays of `MAX_ROWS_PER_STEP` at most).
 * Stops after `header-rejected` when the header is unusable. Reads no further than the consumer asks
 * (back-pressure all the way to `body`), and closes `body` when stopped early.
 */
export async function* readTodoRows(
  body: AsyncIterable<Uint8Array>,
  { quote: quoteOption, maxRecordBytes, signal, onBytes }: ReadTodoRowsOptions,
): AsyncGenerator<RowRead[]> {
  signal?.throwIfAborted();
  const auto = quoteOption === "auto";
  const { head, endOfFile, chunks } = await peekStream(body, {
    // At least the first bytes, for a byte order mark.
    maxBytes: auto ? QUOTE_SAMPLE_BYTES : 2,
    // The header's line and the data lines quote detection looks at.
    maxLineFeeds: QUOTE_SAMPLE_LINES + 1,
    ...(onBytes && { onChunk: onBytes }),
  });
  if (isUtf16(head)) {
    // csv-parse would switch to UTF-16 on its mark while the rest of the pipeline reads UTF-8 bytes: quoted
    // fields would break and lines be miscounted. Excel's "Unicode Text" is such a file.
    await chunks.return(undefined);
    yield [{ kind: "header-rejected", line: 1, reason: "the file is UTF-16: save it as CSV UTF-8" }];
    return;
  }
  const quote = auto ? detectQuote(head, { endOfFile }) : quoteOption;

  // Records the guard or the parser drop, reported synchronously while they work; yielded between records.
  const dropped: RowRejected[] = [];
  const onDropped = ({ line, reason }: { line: number; reason: string }) => {
    dropped.push({ kind: "rejected", line, reason });
  };
  // The guard's first drop, and the last record it passed on before it: what says when a header not read yet
  // can only be that record (see `readRecords`).
  let firstDrop: FirstDrop | undefined;
  const guard: CsvRecordGuard = new CsvRecordGuard({
    maxRecordBytes,
    quote,
    onDropped: (drop) => {
      firstDrop ??= { ...drop, after: guard.lastPassedLine };
      onDropped(drop);
    },
  });
  const parser = new CsvRecordParser({ quote, maxRecordSize: 2 * maxRecordBytes, onSkipped: onDropped });
  // Errors reach the consumer through the parser's iterator; the callback says when every stream is closed.
  const closed = new Promise<void>((resolve) =>
    pipeline(
      chunks,
      // Whether the file's lines end with CRs is seen at its first line break: as far as a header may reach.
      new CrLineEndingsToLf({ searchBytes: lineBreakSearchBytes(maxRecordBytes) }),
      guard,
      parser,
      () => resolve(),
    ),
  );
  if (signal) addAbortSignal(signal, parser);
  try {
    yield* readRecords(parser as AsyncIterable<CsvRecord[]>, dropped, () => firstDrop);
  } finally {
    // However reading ended, the body is let go of before this returns.
    parser.destroy();
    await closed;
    // The pipeline returns its source's iterator only after calling back: return it here, and wait.
    await chunks.return(undefined);
  }
}

/**
 * The most rows read from one chunk before they are yielded: the consumer lets the event loop run between what it
 * is given (an import does), and a chunk of 64 KiB holds up to 32,000 records. Checked in one step, a chunk of
 * rows that are all refused (`,x`: 21,800 of them, each failing validation at some 10 µs) held a server's event
 * loop 200 ms to 1 s at a time, and every other request waited that long, for as long as the upload went on.
 */
export const MAX_ROWS_PER_STEP = 1000;

/** The first record the guard dropped, and `after`, the line of the last record it passed on before (0: none). */
interface FirstDrop extends RowError {
  after: number;
}

/**
 * Reads the header, then every data record; `dropped` fills with the records the guard and parser dropped, and
 * `firstDrop` tells the guard's first.
 */
async function* readRecords(
  batches: AsyncIterable<CsvRecord[]>,
  dropped: RowRejected[],
  firstDrop: () => FirstDrop | undefined,
): AsyncGenerator<RowRead[]> {
  let columns: ImportColumns | undefined;
  /** The line of the last record the parser yielded, blank ones included. */
  let lastLine = 0;
  for await (const records of batches) {
    let reads: RowRead[] = [];
    for (const record of records) {
      lastLine = record.line;
      if (isBlank(record)) continue;
      if (columns !== undefined) {
        reads.push(readTodoRow(record, columns));
        if (reads.length >= MAX_ROWS_PER_STEP) {
          yield reads;
          reads = [];
        }
        continue;
      }
      // A record dropped before the first one the parser yields was the header.
      const first = earliest(dropped);
      const header = first && first.line < record.line ? first : readHeader(record);
      if (header.kind === "rejected") {
        yield [headerRejected(header)];
        return;
      }
      columns = header.columns;
      reads.push({ kind: "header", line: record.line });
    }
    // Records dropped before the parser saw them: their lines may come a little early, never late.
    // One by one, not spread as arguments: a chunk can hold more drops than a call takes arguments (a body
    // handed over in one chunk, 130,000 lines of `a"b`, overflowed the stack and was answered 500).
    if (columns !== undefined && dropped.length > 0) {
      for (const rejected of dropped.splice(0)) {
        reads.push(rejected);
        if (reads.length >= MAX_ROWS_PER_STEP) {
          yield reads;
          reads = [];
        }
      }
    }
    if (reads.length > 0) yield reads;
    // The parser has yielded every record the guard let through before its first drop, and none was a header:
    // the dropped record was. Waiting for a record after it held every later drop, and read the file to its end
    // when none came (a file of nothing but broken quotes took 60 times its size in memory).
    const drop = firstDrop();
    if (columns === undefined && drop !== undefined && drop.after <= lastLine) {
      yield [headerRejected(earliest(dropped) ?? drop)];
      return;
    }
  }
  const first = earliest(dropped);
  if (columns === undefined && first) {
    yield [headerRejected(first)];
  } else if (dropped.length > 0) {
    yield dropped.splice(0);
  }
}

/**
 * Whether every field of a record is empty or blank: a spreadsheet saves a row that is empty but formatted as
 * `,,,`. Such a record says nothing, and is skipped as an empty line is, rather than reported as a row with no
 * task.
 */
function isBlank(record: CsvRecord): boolean {
  return record.fields.every((field) => field.trim() === "");
}

/** Whether bytes start with a UTF-16 byte order mark, little- or big-endian. */
function isUtf16(head: Uint8Array): boolean {
  return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
}

function earliest(rejections: readonly RowRejected[]): RowRejected | undefined {
  return rejections.reduce<RowRejected | undefined>(
    (first, rejection) => (first && first.line <= rejection.line ? first : rejection),
    undefined,
  );
}

function readHeader(record: CsvRecord): { kind: "header"; columns: ImportColumns } | RowRejected {
  const columns = readImportHeader(record.fields);
  return "reason" in columns
    ? { kind: "rejected", line: record.line, reason: columns.reason }
    : { kind: "header", columns };
}

/** The header's record refused, as `readTodoRows` yields it: its reason says that it is the header's. */
function headerRejected({ line, reason }: RowError): RowRead {
  return {
    kind: "header-rejected",
    line,
    reason: reason.startsWith("header") ? reason : `header: ${reason}`,
  };
}
