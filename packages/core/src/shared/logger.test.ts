import { afterEach, describe, expect, it, vi } from "vitest";
import { createJsonLogger, type LogLevel } from "./logger.js";

describe("createJsonLogger", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes each line through the console method of its level, from which Lambda's runtime takes the level", () => {
    // Lambda's Node runtime makes console.log its INFO: an error line written with it was dropped under an
    // application log level of WARN or ERROR (aws-lambda-ric 4.0.2, LogPatch.patchConsoleMethods).
    const written: Record<string, string[]> = { debug: [], info: [], warn: [], error: [], log: [] };
    for (const method of ["debug", "info", "warn", "error", "log"] as const) {
      vi.spyOn(console, method).mockImplementation((line: string) => {
        written[method]!.push(JSON.parse(line).msg);
      });
    }
    const logger = createJsonLogger("debug");

    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");

    expect(written).toEqual({ debug: ["d"], info: ["i"], warn: ["w"], error: ["e"], log: [] });
  });

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

  it("writes an error's type, message, code, stack and cause, which JSON.stringify alone writes as {}", () => {
    const lines: string[] = [];
    const logger = createJsonLogger("info", (line) => lines.push(line));
    const cause = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

    logger.error("import failed", { error: new TypeError("bad row", { cause }) });
    logger.error("all failed", { error: new AggregateError([new Error("one")], "1 of 1 failed") });

    const [first, second] = lines.map((line) => JSON.parse(line));
    expect(first.error).toEqual({
      type: "TypeError",
      message: "bad row",
      stack: expect.stringContaining("bad row"),
      cause: { type: "Error", message: "socket hang up", code: "ECONNRESET", stack: expect.any(String) },
    });
    expect(second.error).toMatchObject({ type: "AggregateError", errors: [{ message: "one" }] });
  });

  it("still writes the event when a field cannot be serialized", () => {
    const lines: string[] = [];
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;

    createJsonLogger("info", (line) => lines.push(line)).warn("odd", { cyclic, big: 1n });

    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "warn",
      msg: "odd",
      fieldsDropped: "not serializable",
    });
  });

  it("writes from info up by default, from its own level when given one, and from info for a level it does not know", () => {
    const levelsWritten = (
      logger: (write: (line: string) => void) => ReturnType<typeof createJsonLogger>,
    ) => {
      const lines: string[] = [];
      const log = logger((line) => lines.push(line));
      log.debug("d");
      log.info("i");
      log.warn("w");
      log.error("e");
      return lines.map((line) => JSON.parse(line).level);
    };

    expect(levelsWritten((write) => createJsonLogger(undefined, write))).toEqual(["info", "warn", "error"]);
    expect(levelsWritten((write) => createJsonLogger("warn", write))).toEqual(["warn", "error"]);
    expect(levelsWritten((write) => createJsonLogger("debug", write))).toEqual([
      "debug",
      "info",
      "warn",
      "error",
    ]);
    expect(levelsWritten((write) => createJsonLogger("verbose" as LogLevel, write))).toEqual([
      "info",
      "warn",
      "error",
    ]);
  });
});
