import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { logStartFailure } from "./logging.js";

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
