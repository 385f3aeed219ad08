import { execFile } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPOSITORY_ROOT } from "../support/server-process.js";

const run = promisify(execFile);
const LOGGING = pathToFileURL(path.join(REPOSITORY_ROOT, "apps/server/dist/logging.js")).href;

describe("the server's logger", () => {
  // In a child process: pino writes to the file descriptor itself, past any stream a test could swap in.
  it("writes an error field with its type, message, stack and cause, not as {}", async () => {
    const script = `
      const { createPino, corePortOf } = await import(${JSON.stringify(LOGGING)});
      const logger = createPino("info", 1);
      const cause = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      corePortOf(logger).error("The CSV import failed.", { error: new Error("stream broke", { cause }) });
      logger.flush();`;

    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);

    expect(JSON.parse(stdout.trim())).toMatchObject({
      msg: "The CSV import failed.",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      error: {
        type: "Error",
        message: "stream broke",
        stack: expect.stringContaining("stream broke"),
        cause: { message: "socket hang up", code: "ECONNRESET" },
      },
    });
  });
});
