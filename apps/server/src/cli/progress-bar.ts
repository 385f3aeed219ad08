const WIDTH = 24;

export interface ProgressState {
  rowsRead: number;
  bytesRead: number;
  totalBytes?: number;
  elapsedMs: number;
}

/** One line of progress: a bar by bytes when the size is known, then rows and rows per second. */
export function formatProgress({ rowsRead, bytesRead, totalBytes, elapsedMs }: ProgressState): string {
  const rate = elapsedMs > 0 ? Math.round((rowsRead * 1000) / elapsedMs) : 0;
  const counts = `${rowsRead.toLocaleString("en-US")} rows  ${rate.toLocaleString("en-US")} rows/s`;
  if (!totalBytes) return counts;
  const fraction = Math.min(bytesRead / totalBytes, 1);
  const filled = Math.round(fraction * WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${counts}`;
}

/**
 * Redraws the progress line on a terminal at most every `intervalMs`; does nothing when the stream is not a
 * TTY (a pipe or a log file gets only the final report).
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly intervalMs = 100,
  ) {}

  update(state: Omit<ProgressState, "elapsedMs">, force = false): void {
    if (!this.stream.isTTY) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.stream.write(`\r${formatProgress({ ...state, elapsedMs: now - this.started })}\x1b[K`);
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write("\n");
  }
}
