import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config.js";
import { spoolInput, UnreadableInputError } from "./standard-input.js";

describe("spoolInput", () => {
  let tmp: string;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), "anycloud-spool-"));
    vi.stubEnv("TMPDIR", tmp);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await rm(tmp, { recursive: true, force: true });
  });

  it("copies the input to a file only its owner may read, in a directory of its own that remove deletes", async () => {
    const spooled = await spoolInput(
      Readable.from([Buffer.from("task\n"), Buffer.from("one\n")]),
      new AbortController().signal,
    );

    const [directory] = await readdir(tmp);
    expect(directory).toMatch(/^todo-import-/);
    expect(spooled.path).toBe(path.join(tmp, directory!, "stdin.csv"));
    expect(await readFile(spooled.path, "utf8")).toBe("task\none\n");
    expect((await stat(spooled.path)).mode & 0o777).toBe(0o600);

    await spooled.remove();
    expect(await readdir(tmp)).toEqual([]);
  });

  it("removes the copy, and throws the signal's reason, when the copy is stopped", async () => {
    const input = new PassThrough();
    input.write("task\none\n");
    const stop = new AbortController();
    const spooling = spoolInput(input, stop.signal);
    const reason = new Error("interrupted");

    stop.abort(reason);

    await expect(spooling).rejects.toBe(reason);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("removes the copy, and says standard input cannot be read, when the input fails", async () => {
    const failure = Object.assign(new Error("EBADF: bad file descriptor, read"), { code: "EBADF" });
    const input = new Readable({
      read() {
        this.destroy(failure);
      },
    });

    const spooling = spoolInput(input, new AbortController().signal);

    await expect(spooling).rejects.toBeInstanceOf(UnreadableInputError);
    await expect(spooling).rejects.toThrow("cannot read standard input: EBADF: bad file descriptor, read");
    await expect(spooling).rejects.toHaveProperty("cause", failure);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("names TMPDIR, not a file of its own making, when the copy cannot be made there", async () => {
    const missing = path.join(tmp, "missing");
    vi.stubEnv("TMPDIR", missing);

    const spooling = spoolInput(Readable.from([Buffer.from("task\n")]), new AbortController().signal);

    await expect(spooling).rejects.toBeInstanceOf(ConfigError);
    await expect(spooling).rejects.toThrow(
      new RegExp(`^cannot make the copy of standard input in TMPDIR=${missing}: ENOENT`),
    );
  });

  // The command's own handler stops the import at the first signal; at the second, node would kill the process
  // and leave a copy of gigabytes behind.
  it.each(["SIGINT", "SIGTERM"] as const)(
    "lets a first %s pass, and at the second removes the copy and dies by that signal",
    async (signal) => {
      const kill = vi.spyOn(process, "kill").mockImplementation(() => true);
      const listening = process.listenerCount(signal);
      const spooled = await spoolInput(Readable.from([Buffer.from("task\n")]), new AbortController().signal);

      process.emit(signal, signal);
      const afterFirst = await readdir(tmp);
      process.emit(signal, signal);

      expect(afterFirst).toHaveLength(1);
      expect(kill).toHaveBeenCalledExactlyOnceWith(process.pid, signal);
      expect(await readdir(tmp)).toEqual([]);
      expect(process.listenerCount(signal)).toBe(listening);
      await spooled.remove();
    },
  );

  it("stops listening for signals once the copy is removed", async () => {
    const kill = vi.spyOn(process, "kill").mockImplementation(() => true);
    const listening = { SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") };
    const spooled = await spoolInput(Readable.from([Buffer.from("task\n")]), new AbortController().signal);
    const whileHeld = { SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") };

    await spooled.remove();
    process.emit("SIGINT", "SIGINT");
    process.emit("SIGTERM", "SIGTERM");

    expect(whileHeld).toEqual({ SIGINT: listening.SIGINT + 1, SIGTERM: listening.SIGTERM + 1 });
    expect({ SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") }).toEqual(
      listening,
    );
    expect(kill).not.toHaveBeenCalled();
  });
});
