import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFile, mkdtemp, readdir, readlink, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ObjectNotFoundError } from "@anycloud/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileChangedError, LocalFileObjectSource, NotAFileError } from "./local-file-object-source.js";

describe("LocalFileObjectSource", () => {
  let dir: string;
  const files = new LocalFileObjectSource();

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "anycloud-files-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function aFile(bytes: number): Promise<string> {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "x".repeat(bytes));
    return file;
  }

  it("reads a file whole, at the version it names", async () => {
    const ref = await LocalFileObjectSource.refOf(await aFile(300_000));

    const opened = await files.open(ref);
    let read = 0;
    for await (const chunk of opened.body) read += chunk.byteLength;

    expect(read).toBe(300_000);
    expect(opened).toMatchObject({ size: 300_000, version: expect.stringMatching(/^sha256:[\w-]{43}$/) });
  });

  it("names a version by the file's bytes, not by its size and modification time", async () => {
    const file = await aFile(0);
    await writeFile(file, "task\nbuy milk\n");
    const ref = await LocalFileObjectSource.refOf(file);
    const first = (await files.open(ref)).version;
    const { mtime } = await stat(file);

    // Saved again unchanged, later: the same version.
    await writeFile(file, "task\nbuy milk\n");
    await utimes(file, mtime, new Date(mtime.getTime() + 60_000));
    const resaved = (await files.open(ref)).version;
    // Other bytes of the same size, with the modification time put back (as `cp -p` does): another version.
    await writeFile(file, "task\nbuy eggs\n");
    await utimes(file, mtime, mtime);
    const edited = (await files.open(ref)).version;

    expect(resaved).toBe(first);
    expect(edited).not.toBe(first);
    expect(edited).toBe(`sha256:${createHash("sha256").update("task\nbuy eggs\n").digest("base64url")}`);
  });

  it("fails at the next chunk when the file changes while it is read", async () => {
    const file = await aFile(300_000);
    const opened = await files.open(await LocalFileObjectSource.refOf(file));
    let read = 0;

    const reading = (async () => {
      for await (const chunk of opened.body) {
        // Written to while it is read: rows appended by whoever is still writing the file.
        if (read === 0) await appendFile(file, "y".repeat(100_000));
        read += chunk.byteLength;
      }
    })();

    await expect(reading).rejects.toBeInstanceOf(FileChangedError);
    // The first 64 KiB chunk only: none read after the change.
    expect(read).toBe(64 * 1024);
  });

  it("fails when other bytes of the same size are written while it is read, the modification time put back", async () => {
    const file = await aFile(0);
    await writeFile(file, "task\nbuy milk\n");
    const opened = await files.open(await LocalFileObjectSource.refOf(file));
    // As `cp -p` or `rsync -t --inplace` would leave it: other bytes, the same size and modification time (to
    // the nanosecond, which utimes cannot set: `touch -r` from a copy made with the time kept).
    execFileSync("cp", ["-p", file, `${file}.time`]);
    await writeFile(file, "task\nbuy eggs\n");
    execFileSync("touch", ["-r", `${file}.time`, file]);
    expect((await stat(file)).mtimeMs).toBe((await stat(`${file}.time`)).mtimeMs);

    const reading = (async () => {
      for await (const _ of opened.body);
    })();

    await expect(reading).rejects.toBeInstanceOf(FileChangedError);
  });

  it("refuses to open a version the file is no longer at", async () => {
    const file = await aFile(10);
    const ref = await LocalFileObjectSource.refOf(file);
    const { version } = await files.open(ref);
    await appendFile(file, "more");

    await expect(files.open({ ...ref, version: version! })).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it("opens a file at the version it is at", async () => {
    const ref = await LocalFileObjectSource.refOf(await aFile(10));
    const { version } = await files.open(ref);

    const opened = await files.open({ ...ref, version });

    expect(opened.version).toBe(version);
  });

  it("hashes a file larger than one read (1 MiB) whole", async () => {
    const file = await aFile(1024 * 1024 + 100_000);

    const opened = await files.open(await LocalFileObjectSource.refOf(file));

    const expected = createHash("sha256")
      .update("x".repeat(1024 * 1024 + 100_000))
      .digest("base64url");
    expect(opened.version).toBe(`sha256:${expected}`);
  });

  it("reads an empty file as no bytes", async () => {
    const opened = await files.open(await LocalFileObjectSource.refOf(await aFile(0)));

    const chunks: Uint8Array[] = [];
    for await (const chunk of opened.body) chunks.push(chunk);

    expect(chunks).toEqual([]);
    expect(opened).toMatchObject({ size: 0, version: `sha256:${createHash("sha256").digest("base64url")}` });
  });

  it("ends the body when it is let go of before its end", async () => {
    const opened = await files.open(await LocalFileObjectSource.refOf(await aFile(10)));

    const result = await opened.body[Symbol.asyncIterator]().return?.();

    expect(result).toEqual({ done: true, value: undefined });
  });

  it("refuses a directory, naming it, and a ref that is no local file", async () => {
    await expect(LocalFileObjectSource.refOf(dir)).rejects.toThrow(
      new NotAFileError(`${dir} is not a file.`),
    );
    await expect(files.open({ container: "file", key: dir })).rejects.toBeInstanceOf(NotAFileError);
    await expect(files.open({ container: "bucket", key: await aFile(1) })).rejects.toThrow(
      `Not a local file: bucket/${path.join(dir, "todos.csv")}`,
    );
  });

  it("says that the rows imported before a change stay, and that the changed file imports them again", () => {
    expect(new FileChangedError("/data/todos.csv").message).toBe(
      "/data/todos.csv changed while it was read, and its import stopped. The rows imported so far stay; the changed file is a new version, and importing it imports those rows again.",
    );
  });
});

describe("LocalFileObjectSource, a body let go of unread", () => {
  /** How many of this process's descriptors are open on `file`. */
  async function descriptorsOn(file: string): Promise<number> {
    const links = await Promise.all(
      (await readdir("/proc/self/fd")).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => "")),
    );
    return links.filter((target) => target === file).length;
  }

  it.runIf(process.platform === "linux")("closes the file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "anycloud-files-"));
    await writeFile(path.join(dir, "todos.csv"), "task\none\n");
    const ref = await LocalFileObjectSource.refOf(path.join(dir, "todos.csv"));
    const opened = await new LocalFileObjectSource().open(ref);
    const whileOpen = await descriptorsOn(ref.key);

    await opened.body[Symbol.asyncIterator]().return?.();

    expect(whileOpen).toBe(1);
    expect(await descriptorsOn(ref.key)).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});
