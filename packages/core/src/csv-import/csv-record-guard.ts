import { Transform, type TransformCallback } from "node:stream";
import type { RowError } from "./import-report.js";
import { STREAM_BUFFER_BYTES } from "./stream-buffers.js";

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const BOM = [0xef, 0xbb, 0xbf];

// Where the scan stands in the current record, by CSV's quoting rules.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: the field's end, or the first half of an escaped (doubled) quote. */
const QUOTED_QUOTE = 3;
/** A closing quote then CR: only LF may follow. */
const CLOSED_CR = 4;
/** After a quote error: the record ends at the next LF, whatever the quotes say. */
const TO_LINE_END = 5;
/** A closing quote then spaces or tabs: more of them, or what may follow a closing quote. */
const CLOSED_BLANKS = 6;

const LINE_BREAKS = 4096;
const LF_RUN = Buffer.alloc(LINE_BREAKS, "\n");
const EMPTY = Buffer.alloc(0);

export interface CsvRecordGuardOptions {
  maxRecordBytes: number;
  /** The quote character, as the CSV parser will use it (the parser's escape is the same character). */
  quote: '"' | "'";
  /** Called once for each record dropped, with the line it starts on (LFs counted; the first line is 1). */
  onDropped: (error: RowError) => void;
}

/**
 * Sits before the CSV parser (whose records end at LF or CRLF, as here) and keeps from it the records it must
 * not see: a record longer than `maxRecordBytes` (its line ending, LF or CRLF, not counted), and a record
 * whose quotes break CSV's rules (a quote inside an unquoted field, a closing quote followed by something
 * other than a comma or the line's end, a quote still open at the end). Spaces and tabs may come before an
 * opening quote and after a closing one, as the parser reads them (`"Buy milk" , "Alice"`).
 *
 * csv-parse's own `max_record_size` cannot do this: with `skip_records_with_error` it drops the rest of the
 * chunk after an oversized record. And the parser, after a bad closing quote, stays inside the field and
 * swallows the lines that follow; here the bad record ends at the next LF, so only its lines are lost.
 *
 * Bytes pass through as subarrays of the incoming chunks, never copied. The bytes of the record in progress
 * are held back (at most `maxRecordBytes`) until it ends, so that a record is passed whole or not at all.
 * In place of a dropped record the parser gets one empty line per line the record spanned, so that line
 * numbers after it stay right; beyond the limit, a record's bytes are dropped as they arrive.
 */
export class CsvRecordGuard extends Transform {
  private readonly maxRecordBytes: number;
  private readonly quote: number;
  private readonly onDropped: (error: RowError) => void;

  private state = FIELD_START;
  private bomMatched = 0;
  /** The BOM's bytes read so far, which the first record holds but which are not part of it (the parser strips them). */
  private bomBytes = 0;
  private line = 1;
  private recordLine = 1;
  private passedLine = 0;
  /** The size of the bytes held from earlier chunks. */
  private heldBytes = 0;
  /** LFs inside the current record (in its quoted fields). */
  private recordLineFeeds = 0;
  private dropping = false;
  /** The bytes of the current record from earlier chunks, until it ends. */
  private held: Buffer[] = [];
  // The chunk being scanned, where its bytes not yet passed on or dropped begin, and where its current record does.
  private chunk: Buffer = EMPTY;
  private passFrom = 0;
  private recordFrom = 0;

  constructor({ maxRecordBytes, quote, onDropped }: CsvRecordGuardOptions) {
    // One chunk held at most: a chunk of dropped records shrinks to its line breaks, and byte counts that
    // small would otherwise never push back, letting the whole file be read ahead.
    super({ writableHighWaterMark: STREAM_BUFFER_BYTES, readableHighWaterMark: 1 });
    if (!Number.isSafeInteger(maxRecordBytes) || maxRecordBytes < 1) {
      throw new RangeError("maxRecordBytes must be a positive integer.");
    }
    this.maxRecordBytes = maxRecordBytes;
    this.quote = quote.charCodeAt(0);
    this.onDropped = onDropped;
  }

  /**
   * The line of the last record passed on that the parser yields (an empty line is none), or 0: read in
   * `onDropped`, the record that came before the one dropped.
   */
  get lastPassedLine(): number {
    return this.passedLine;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.scan(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (!this.dropping) {
      if (this.state === QUOTED) this.startDropping(`quote (${String.fromCharCode(this.quote)}) not closed`);
      else for (const piece of this.held) this.push(piece);
    }
    this.held = [];
    callback();
  }

  /**
   * Follows the quoting rules through one chunk, jumping with `indexOf` from one byte that matters (quote, LF)
   * to the next, and passes on the records that ended in it.
   */
  private scan(chunk: Buffer): void {
    const length = chunk.length;
    const quote = this.quote;
    this.chunk = chunk;
    this.passFrom = 0;
    this.recordFrom = 0;
    let i = this.skipBom(chunk);
    // The next quote and LF at or after `i` (-1: none in this chunk; recomputed once `i` passes them).
    let nextQuote = -2;
    let nextLineFeed = -2;

    while (i < length) {
      if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(quote, i);
      if (nextLineFeed !== -1 && nextLineFeed < i) nextLineFeed = chunk.indexOf(LF, i);
      const state = this.state;
      if (state === FIELD_START || state === UNQUOTED) {
        const q = nextQuote < 0 ? length : nextQuote;
        const lf = nextLineFeed < 0 ? length : nextLineFeed;
        if (lf < q) {
          i = this.endRecord(lf);
        } else if (q === length) {
          const last = lastNonBlank(chunk, i, length);
          if (last >= i) this.state = chunk[last] === COMMA ? FIELD_START : UNQUOTED;
          i = length;
        } else {
          // Nothing but text and commas between `i` and the quote: the byte before it (blanks aside: people
          // type `"Buy milk", "Alice"`) says where it stands. FIELD_START holds across blanks at a chunk's end.
          const before = lastNonBlank(chunk, i, q);
          const atFieldStart = before < i ? state === FIELD_START : chunk[before] === COMMA;
          if (atFieldStart) this.state = QUOTED;
          else this.fail(`quote (${String.fromCharCode(quote)}) inside an unquoted field`, q);
          i = q + 1;
        }
      } else if (state === QUOTED) {
        const end = nextQuote < 0 ? length : nextQuote;
        while (nextLineFeed >= 0 && nextLineFeed < end) {
          this.textLineFeed();
          nextLineFeed = chunk.indexOf(LF, nextLineFeed + 1);
        }
        if (end < length) this.state = QUOTED_QUOTE;
        i = end + 1;
      } else if (state === TO_LINE_END) {
        i = nextLineFeed < 0 ? length : this.endRecord(nextLineFeed);
      } else {
        i = this.afterClosingQuote(state, chunk[i]!, i);
      }
    }

    if (!this.dropping) this.passOnChunk(chunk);
    this.chunk = EMPTY;
  }

  /**
   * At the end of a scanned chunk: passes on the records it completed and holds the start of the one still open,
   * unless that one is already over the limit, which starts dropping it.
   */
  private passOnChunk(chunk: Buffer): void {
    const { length } = chunk;
    // A CR last may be the first half of the record's CRLF, which does not count: the next chunk says. The
    // record's last byte, that is: an empty chunk after a CR ends no record, and holds no byte of its own.
    const lineEnd = this.crBefore(length) ? 1 : 0;
    if (this.recordBytesTo(length) - lineEnd > this.maxRecordBytes) {
      this.startDropping(this.tooLarge());
      return;
    }
    if (this.recordFrom > this.passFrom) this.push(chunk.subarray(this.passFrom, this.recordFrom));
    if (this.recordFrom < length) this.held.push(chunk.subarray(this.recordFrom));
    this.heldBytes += length - this.recordFrom;
  }

  /**
   * The byte after a quote inside a quoted field (QUOTED_QUOTE), after the blanks that followed that quote
   * (CLOSED_BLANKS), or after that quote and a CR (CLOSED_CR). An LF ends the record in all three; after the
   * CR nothing else may come.
   */
  private afterClosingQuote(state: number, byte: number, i: number): number {
    if (byte === LF) return this.endRecord(i);
    if (state === CLOSED_CR) this.fail(this.badClosingQuote(), i);
    else if (byte === this.quote && state === QUOTED_QUOTE) this.state = QUOTED;
    else if (byte === SPACE || byte === TAB) this.state = CLOSED_BLANKS;
    else if (byte === COMMA) this.state = FIELD_START;
    else if (byte === CR) this.state = CLOSED_CR;
    else this.fail(this.badClosingQuote(), i);
    return i + 1;
  }

  /** The current record's size up to `at` in the chunk: the bytes held before it and this chunk's, less a BOM. */
  private recordBytesTo(at: number): number {
    return this.heldBytes + (at - this.recordFrom) - this.bomBytes;
  }

  /** The record ends at the LF at `at`: passes it on (or its line breaks, if dropped). Returns where the next starts. */
  private endRecord(at: number): number {
    const size = this.recordBytesTo(at) - (this.crBefore(at) ? 1 : 0);
    if (!this.dropping && size > this.maxRecordBytes) {
      this.startDropping(this.tooLarge());
    }
    if (this.dropping) {
      this.pushLineBreaks(this.recordLineFeeds + 1);
      this.dropping = false;
      this.passFrom = at + 1;
    } else {
      // One of blanks only is an empty line to the parser, which trims them at a field's start: it yields none.
      if (size > 0 && this.holdsText(at, size)) this.passedLine = this.recordLine;
      for (const piece of this.held) this.push(piece);
      this.held = [];
    }
    this.line += 1;
    this.recordLine = this.line;
    this.bomBytes = 0;
    this.heldBytes = 0;
    this.recordLineFeeds = 0;
    this.state = FIELD_START;
    this.recordFrom = at + 1;
    return at + 1;
  }

  /**
   * Whether the record ending at the LF at `at`, `size` bytes without its BOM and line ending, holds a byte
   * other than a space or a tab. Usually its first byte says so.
   */
  private holdsText(at: number, size: number): boolean {
    let skip = this.bomBytes;
    let left = size;
    const scan = (piece: Buffer): boolean => {
      for (let i = 0; i < piece.length && left > 0; i++) {
        if (skip > 0) {
          skip -= 1;
          continue;
        }
        left -= 1;
        if (piece[i] !== SPACE && piece[i] !== TAB) return true;
      }
      return false;
    };
    for (const piece of this.held) if (scan(piece)) return true;
    return scan(this.chunk.subarray(this.recordFrom, at));
  }

  /**
   * Whether the record's byte before `at` in the chunk is a CR: before an LF, the two end the record, and neither
   * counts. The byte may be one held from an earlier chunk.
   */
  private crBefore(at: number): boolean {
    if (at > this.recordFrom) return this.chunk[at - 1] === CR;
    const last = this.held.at(-1);
    return last !== undefined && last[last.length - 1] === CR;
  }

  /** A UTF-8 BOM is not part of the first field (the parser strips it): a quote may follow it. */
  private skipBom(chunk: Buffer): number {
    let i = 0;
    while (this.bomMatched < BOM.length && i < chunk.length) {
      if (chunk[i] !== BOM[this.bomMatched]) {
        // What began like a BOM was text of the first field, and counts.
        if (this.bomMatched > 0) this.state = UNQUOTED;
        this.bomMatched = BOM.length;
        this.bomBytes = 0;
        break;
      }
      this.bomMatched += 1;
      this.bomBytes += 1;
      i += 1;
    }
    return i;
  }

  /** An LF that does not end the record. */
  private textLineFeed(): void {
    this.line += 1;
    this.recordLineFeeds += 1;
  }

  private tooLarge(): string {
    return `record larger than ${this.maxRecordBytes} bytes`;
  }

  private badClosingQuote(): string {
    return `closing quote (${String.fromCharCode(this.quote)}) not followed by a comma or the end of the line`;
  }

  /**
   * A quote error at `at` in the chunk: drops the record (unless it is being dropped already) up to the next
   * LF. A record already over the limit there is dropped for its size, as it is when a chunk ends first: the
   * reason must not depend on where the chunks were cut.
   */
  private fail(reason: string, at: number): void {
    if (!this.dropping) {
      const oversize = this.recordBytesTo(at) > this.maxRecordBytes;
      this.startDropping(oversize ? this.tooLarge() : reason);
    }
    this.state = TO_LINE_END;
  }

  /** Starts dropping the current record: passes on the records before it in this chunk, forgets its bytes. */
  private startDropping(reason: string): void {
    if (this.recordFrom > this.passFrom) this.push(this.chunk.subarray(this.passFrom, this.recordFrom));
    this.passFrom = this.recordFrom;
    this.held = [];
    this.heldBytes = 0;
    this.dropping = true;
    this.onDropped({ line: this.recordLine, reason });
  }

  private pushLineBreaks(count: number): void {
    for (let left = count; left > 0; left -= LINE_BREAKS) {
      this.push(LF_RUN.subarray(0, Math.min(left, LINE_BREAKS)));
    }
  }
}

/** Where the last byte of `chunk[from, to)` that is no space or tab is, or `from - 1` if there is none. */
function lastNonBlank(chunk: Buffer, from: number, to: number): number {
  let at = to - 1;
  while (at >= from && (chunk[at] === SPACE || chunk[at] === TAB)) at -= 1;
  return at;
}
