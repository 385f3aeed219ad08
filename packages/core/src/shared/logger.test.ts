import { describe, expect, it } from "vitest";
import { createJsonLogger } from "./logger.js";

describe("createJsonLogger", () => {
  it("writes one JSON line per event at or above its level", () => {
    const lines: string[] = [];
    const logger = createJsonLogger("info", (line) => lines.push(line));

    logger.debug("hidden");
    logger.info("imported", { rows: 3 });
    logger.error("failed", { code: "X" });

    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: "info", time: expect.any(String), msg: "imported", rows: 3 },
      { level: "error", time: expect.any(String), msg: "failed", code: "X" },
    ]);
  });
});
