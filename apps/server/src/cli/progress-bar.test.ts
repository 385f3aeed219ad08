import { afterEach, describe, expect, it, vi } from "vitest";
import { formatProgress, ProgressBar } from "./progress-bar.js";

describe("formatProgress", () => {
  it("draws a bar by bytes, with rows and rows per second", () => {
    expect(formatProgress({ rowsRead: 50_000, bytesRead: 500, totalBytes: 1000, elapsedMs: 2000 })).toBe(
      "[############------------]  50%  50,000 rows  25,000 rows/s",
    );
  });

  it("shows only the counts when the size is unknown", () => {
    expect(formatProgress({ rowsRead: 10, bytesRead: 5, elapsedMs: 1000 })).toBe("10 rows  10 rows/s");
  });

  it("never draws past 100%", () => {
    expect(formatProgress({ rowsRead: 1, bytesRead: 2000, totalBytes: 1000, elapsedMs: 0 })).toContain(
      "100%",
    );
  });
});

describe("formatProgress at the start", () => {
  it("shows 0 rows/s before any time has passed, not an infinite rate", () => {
    expect(formatProgress({ rowsRead: 5, bytesRead: 0, elapsedMs: 0 })).toBe("5 rows  0 rows/s");
  });
});

describe("formatProgress on a narrow terminal", () => {
  const state = { rowsRead: 1_234_567, bytesRead: 500, totalBytes: 1000, elapsedMs: 1000 };

  it.each([80, 60, 40, 20, 8])("stays shorter than %i columns, so that it redraws in place", (columns) => {
    expect(formatProgress(state, columns).length).toBeLessThan(columns);
  });

  it("cuts the counts too when the size is unknown", () => {
    expect(formatProgress({ rowsRead: 1_234_567, bytesRead: 5, elapsedMs: 1000 }, 12)).toBe("1,234,567 r");
  });

  it("keeps the bar while the line fits exactly, one column to spare", () => {
    const line = formatProgress(state);

    expect(formatProgress(state, line.length + 1)).toBe(line);
    expect(formatProgress(state, line.length)).toBe(" 50%  1,234,567 rows  1,234,567 rows/s");
  });

  it("drops the bar before the counts", () => {
    expect(formatProgress(state, 40)).toBe(" 50%  1,234,567 rows  1,234,567 rows/s");
  });
});

describe("ProgressBar", () => {
  /** A terminal stream that records what is written. */
  function terminal(columns = 80) {
    const written: string[] = [];
    const stream = { isTTY: true, columns, write: (text: string) => written.push(text) > 0 };
    return { stream: stream as unknown as NodeJS.WriteStream, written };
  }

  it("draws the last state when done, however recently it drew", () => {
    const { stream, written } = terminal();
    const bar = new ProgressBar(stream, 60_000);

    bar.update({ rowsRead: 1, bytesRead: 1, totalBytes: 10 });
    bar.update({ rowsRead: 10, bytesRead: 10, totalBytes: 10 });
    bar.done();

    expect(written).toHaveLength(3);
    expect(written[1]).toMatch(/100% {2}10 rows/);
    expect(written[2]).toBe("\n");
  });

  it("writes nothing when done without having drawn: no empty line before the report", () => {
    const { stream, written } = terminal();
    const bar = new ProgressBar(stream);

    bar.done();

    expect(written).toEqual([]);
  });

  it("sends no escape sequence to a dumb terminal, and blanks the rest of a longer line with spaces", () => {
    const { stream, written } = terminal();
    const bar = new ProgressBar(stream, 0, { TERM: "dumb" });

    bar.update({ rowsRead: 1_000_000, bytesRead: 5 });
    bar.update({ rowsRead: 1, bytesRead: 5 });
    bar.done();

    expect(written.join("")).not.toContain("\x1b");
    const [first, second] = written.map((text) => text.slice(1));
    expect(written[1]).toMatch(/^\r1 rows {2}[\d,]+ rows\/s +$/);
    expect(second!.length).toBe(first!.length);
    expect(written.at(-1)).toBe("\n");
  });

  it("writes nothing when the stream is not a terminal", () => {
    const { stream, written } = terminal();
    (stream as { isTTY: boolean }).isTTY = false;
    const bar = new ProgressBar(stream);

    bar.update({ rowsRead: 1, bytesRead: 1 });
    bar.done();

    expect(written).toEqual([]);
  });

  describe("on a clock it is given", () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    /** Stops performance.now at `ms`; the bar's start is the time it is made at. */
    const clockAt = (ms: number) => vi.spyOn(performance, "now").mockReturnValue(ms);

    it("clears the rest of the line with an escape sequence, and counts rows per second since it was made", () => {
      const clock = clockAt(1000);
      const { stream, written } = terminal();
      const bar = new ProgressBar(stream);
      clock.mockReturnValue(3000);

      bar.update({ rowsRead: 50_000, bytesRead: 1 });

      expect(written).toEqual(["\r50,000 rows  25,000 rows/s\x1b[K"]);
    });

    it("draws again once intervalMs has passed, not before", () => {
      const clock = clockAt(0);
      const { stream, written } = terminal();
      const bar = new ProgressBar(stream, 100);

      bar.update({ rowsRead: 1, bytesRead: 1 });
      clock.mockReturnValue(99);
      bar.update({ rowsRead: 2, bytesRead: 1 });
      clock.mockReturnValue(100);
      bar.update({ rowsRead: 3, bytesRead: 1 });

      expect(written.map((text) => text.match(/^\r(\d+) rows/)?.[1])).toEqual(["1", "3"]);
    });

    it("keeps each line shorter than the terminal's width as it is at each draw", () => {
      clockAt(0);
      const { stream, written } = terminal(20);
      const bar = new ProgressBar(stream, 0);

      bar.update({ rowsRead: 1_234_567, bytesRead: 1 });

      expect(written[0]).toBe("\r1,234,567 rows  0 r\x1b[K");
    });

    // A line that reached past the new width has wrapped already: blanking the whole of it would wrap again.
    it("blanks a dumb terminal's longer line only up to the width it has now", () => {
      clockAt(0);
      const { stream, written } = terminal(80);
      const bar = new ProgressBar(stream, 0, { TERM: "dumb" });
      bar.update({ rowsRead: 1_234_567_890, bytesRead: 1 });
      (stream as { columns: number }).columns = 20;

      bar.update({ rowsRead: 1, bytesRead: 1 });

      expect(written).toEqual(["\r1,234,567,890 rows  0 rows/s", "\r1 rows  0 rows/s   "]);
    });
  });
});
