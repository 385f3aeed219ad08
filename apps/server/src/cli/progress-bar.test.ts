import { describe, expect, it } from "vitest";
import { formatProgress } from "./progress-bar.js";

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
