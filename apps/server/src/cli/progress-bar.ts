const WIDTH = 24;

export interface ProgressState {
  rowsRead: number;
  bytesRead: number;
  totalBytes?: number;
  elapsedMs: number;
}

/**
 * One line of progress: a bar by bytes when the size is known, then rows and rows per second. Given the
 * terminal's `columns`, the line stays shorter than them (the bar goes first, then the end of the counts): a
 * line that wraps is not redrawn in place, and each redraw would add a line.
 */
export function formatProgress(
  { rowsRead, bytesRead, totalBytes, elapsedMs }: ProgressState,
  columns = Number.POSITIVE_INFINITY,
): string {
  const rate = elapsedMs > 0 ? Math.round((rowsRead * 1000) / elapsedMs) : 0;
  const counts = `${rowsRead.toLocaleString("en-US")} rows  ${rate.toLocaleString("en-US")} rows/s`;
  const room = columns - 1;
  if (!totalBytes) return counts.slice(0, room);
  const fraction = Math.min(bytesRead / totalBytes, 1);
  const filled = Math.round(fraction * WIDTH);
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const line = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${percent}  ${counts}`;
  return line.length <= room ? line : `${percent}  ${counts}`.slice(0, room);
}

/**
 * Redraws the progress line on a terminal at most every `intervalMs`; does nothing when the stream is not a
 * TTY (a pipe or a log file gets only the final report). `done` draws the last state it was given, however
 * recently it drew, so that the line left on screen shows the final counts, and ends that line; when it drew
 * nothing (an import answered from the ledger, a file with no rows), it writes nothing. A terminal that says
 * it is `TERM=dumb` (Emacs' shell, some CI logs) gets no escape sequence: what a shorter line leaves of the
 * one before is blanked with spaces.
 */
export class ProgressBar {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private last: Omit<ProgressState, "elapsedMs"> | undefined;
  private readonly started = performance.now();
  private readonly dumb: boolean;
  /** The length of the line on screen; 0 before the first draw. */
  private drawn = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly intervalMs = 100,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.dumb = env.TERM === "dumb";
  }

  update(state: Omit<ProgressState, "elapsedMs">): void {
    if (!this.stream.isTTY) return;
    this.last = state;
    const now = performance.now();
    if (now - this.lastDraw >= this.intervalMs) this.draw(now);
  }

  done(): void {
    if (!this.stream.isTTY) return;
    if (this.last) this.draw(performance.now());
    this.last = undefined;
    if (this.drawn > 0) this.stream.write("\n");
    this.drawn = 0;
  }

  private draw(now: number): void {
    this.lastDraw = now;
    // A terminal that gives no size (0, as `script` gives its pseudo-terminal) sets no limit.
    const columns = this.stream.columns || Number.POSITIVE_INFINITY;
    const line = formatProgress({ ...this.last!, elapsedMs: now - this.started }, columns);
    const erase = this.dumb
      ? " ".repeat(Math.max(0, Math.min(this.drawn, columns - 1) - line.length))
      : "\x1b[K";
    this.stream.write(`\r${line}${erase}`);
    this.drawn = Math.max(line.length, 1);
  }
}
