import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { corePortOf, createPino, logStartFailure } from "./logging.js";

/** A pino logger at `level` whose lines are collected, and those lines. */
function collectingLogger(level: string) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level }, destination), lines };
}

describe("logStartFailure", () => {
  it("logs one fatal line, and writes nothing to stderr", () => {
    const { logger, lines } = collectingLogger("info");
    const stderr: string[] = [];

    logStartFailure(logger, new Error("listen EADDRINUSE"), { port: 3000 }, (line) => stderr.push(line));

    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 60, msg: "could not start", port: 3000 }),
    ]);
    expect(stderr).toEqual([]);
  });

  it("says why on stderr when LOG_LEVEL=silent writes no log line: an exit 1 without a word says nothing", () => {
    const { logger, lines } = collectingLogger("silent");
    const stderr: string[] = [];

    logStartFailure(logger, new Error("ENOTDIR: not a directory"), { port: 3000 }, (line) =>
      stderr.push(line),
    );

    expect(lines).toEqual([]);
    expect(stderr).toEqual(["server: could not start: ENOTDIR: not a directory\n"]);
  });
});

describe("logStartFailure by default", () => {
  it("writes its line to the process's stderr", () => {
    const { logger } = collectingLogger("silent");
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      logStartFailure(logger, "no reason", {});

      expect(write).toHaveBeenCalledExactlyOnceWith("server: could not start: no reason\n");
    } finally {
      write.mockRestore();
    }
  });
});

/** What pino keeps of a logger's options, under its own symbols (`pino.symbols`). */
const internal = <T>(logger: object, symbol: symbol) => (logger as Record<symbol, unknown>)[symbol] as T;

describe("createPino", () => {
  it("writes JSON lines at the level asked for: on stdout, or, for the CLI, synchronously on stderr", () => {
    const server = createPino("warn");
    const cli = createPino("silent", 2);

    expect(server.level).toBe("warn");
    expect(cli.level).toBe("silent");
    expect(internal(server, pino.symbols.streamSym)).toMatchObject({ fd: 1, sync: false });
    expect(internal(cli, pino.symbols.streamSym)).toMatchObject({ fd: 2, sync: true });
  });

  it("stamps each line with an ISO time and no pid or hostname, and writes errors under error or err whole", () => {
    const logger = createPino("info");
    const time = internal<() => string>(logger, pino.symbols.timeSym);
    const serializers = internal<Record<string, (value: unknown) => unknown>>(
      logger,
      pino.symbols.serializersSym,
    );
    const error = new Error("outer", { cause: new Error("inner") });

    expect(time()).toMatch(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
    expect(logger.bindings()).toEqual({});
    for (const key of ["error", "err"]) {
      expect(serializers[key]!(error)).toMatchObject({
        type: "Error",
        message: "outer",
        cause: expect.objectContaining({ message: "inner" }),
      });
    }
  });
});

describe("corePortOf", () => {
  it("passes core's message and fields to pino at each level, as pino's fields first", () => {
    const { logger, lines } = collectingLogger("debug");
    const port = corePortOf(logger);

    port.debug("one", { n: 1 });
    port.info("two", { n: 2 });
    port.warn("three", { n: 3 });
    port.error("four", { n: 4 });
    port.info("five");

    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 20, msg: "one", n: 1 }),
      expect.objectContaining({ level: 30, msg: "two", n: 2 }),
      expect.objectContaining({ level: 40, msg: "three", n: 3 }),
      expect.objectContaining({ level: 50, msg: "four", n: 4 }),
      expect.objectContaining({ level: 30, msg: "five" }),
    ]);
  });
});
