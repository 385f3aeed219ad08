import { Transform, type TransformCallback } from "node:stream";
import { STREAM_BUFFER_BYTES } from "./stream-buffers.js";

const CR = 0x0d;
const LF = 0x0a;
const LF_BYTE = Buffer.from([LF]);

const UTF8_BOM_BYTES = 3;

/**
 * How far into a file the first line break is looked for, when its first line may be `maxLineBytes` long (the
 * record size limit: a longer header is refused however the file is read): a BOM, the line, then its break.
 */
export function lineBreakSearchBytes(maxLineBytes: number): number {
  return UTF8_BOM_BYTES + maxLineBytes + 1;
}

/** How far the first line break is looked for by default: past a first line of an import's 64 KiB record limit. */
export const LINE_BREAK_SEARCH_BYTES = lineBreakSearchBytes(64 * 1024);

type Mode = "undecided" | "as-is" | "cr";

/**
 * Reads a file saved with CR line endings (classic Mac OS, Excel's "CSV (Macintosh)") as an LF file: when
 * the file's first line break is a CR alone, every CR that no LF follows becomes an LF, so that records end
 * where an editor shows a new line, and lines are numbered as it numbers them. Any other file passes through
 * as it is (a CR alone inside an LF or CRLF file stays text).
 *
 * The decision waits for the first line break (within `searchBytes`) and the byte after it, and
 * a CR at the end of a chunk waits for the next chunk's first byte: the output does not depend on where the
 * chunks were cut. Chunks without a bare CR pass through as they are; the others are copied once.
 */
export class CrLineEndingsToLf extends Transform {
  private mode: Mode = "undecided";
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private crHeldBack = false;
  private readonly searchBytes: number;

  constructor({ searchBytes = LINE_BREAK_SEARCH_BYTES }: { searchBytes?: number } = {}) {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
    this.searchBytes = searchBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.mode === "undecided") {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      const head = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [head];
      this.mode = modeOf(head, false, this.searchBytes);
      if (this.mode === "undecided") {
        callback();
        return;
      }
      this.pending = [];
      chunk = head;
    }
    callback(null, this.mode === "cr" ? this.convert(chunk) : chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.mode === "undecided") {
      const bytes = Buffer.concat(this.pending, this.pendingBytes);
      this.mode = modeOf(bytes, true, this.searchBytes);
      this.push(this.mode === "cr" ? this.convert(bytes) : bytes);
    }
    callback(null, this.crHeldBack ? LF_BYTE : undefined);
  }

  /** `chunk` with each bare CR made an LF; a CR at its end waits for the next chunk. */
  private convert(chunk: Buffer): Buffer {
    let bytes = this.crHeldBack ? Buffer.concat([Buffer.from([CR]), chunk]) : chunk;
    this.crHeldBack = bytes.length > 0 && bytes[bytes.length - 1] === CR;
    if (this.crHeldBack) bytes = bytes.subarray(0, -1);
    let copy: Buffer | undefined;
    for (let at = bytes.indexOf(CR); at >= 0; at = bytes.indexOf(CR, at + 1)) {
      if (bytes[at + 1] === LF) continue;
      copy ??= Buffer.from(bytes);
      copy[at] = LF;
    }
    return copy ?? bytes;
  }
}

/** What the start of a file says: its first line break is a CR alone ("cr"), or not, or not yet known. */
function modeOf(head: Buffer, endOfFile: boolean, searchBytes: number): Mode {
  const searched = Math.min(head.length, searchBytes);
  for (let at = 0; at < searched; at++) {
    const byte = head[at];
    if (byte === LF) return "as-is";
    if (byte !== CR) continue;
    if (at + 1 < head.length) return head[at + 1] === LF ? "as-is" : "cr";
    return endOfFile ? "cr" : "undecided";
  }
  return endOfFile || head.length >= searchBytes ? "as-is" : "undecided";
}
