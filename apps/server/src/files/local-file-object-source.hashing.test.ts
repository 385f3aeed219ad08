import { appendFileSync, truncateSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FileChangedError, LocalFileObjectSource } from "./local-file-object-source.js";

// Something done to the file just before the first read of the handle the source opens: the read that hashes it.
const beforeFirstRead = vi.hoisted(() => ({ change: undefined as (() => void) | undefined }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const open: typeof actual.open = async (...args) => {
    const handle = await actual.open(...args);
    const read = handle.read.bind(handle) as (...readArgs: unknown[]) => ReturnType<typeof handle.read>;
    Object.assign(handle, {
      read: (...readArgs: unknown[]) => {
        const { change } = beforeFirstRead;
        beforeFirstRead.change = undefined;
        change?.();
        return read(...readArgs);
      },
    });
    return handle;
  };
  return { ...actual, open };
});

describe("LocalFileObjectSource, a file that changes while it is hashed", () => {
  let file: string;
  const files = new LocalFileObjectSource();

  beforeEach(async () => {
    file = path.join(await mkdtemp(path.join(tmpdir(), "anycloud-files-")), "todos.csv");
    // Two reads of the hash's 1 MiB.
    await writeFile(file, "x".repeat(1_500_000));
  });
  afterEach(async () => {
    beforeFirstRead.change = undefined;
    await rm(path.dirname(file), { recursive: true, force: true });
  });

  it("fails when the file is cut short before its bytes are all hashed, rather than read on for ever", async () => {
    const ref = await LocalFileObjectSource.refOf(file);
    beforeFirstRead.change = () => truncateSync(file, 1000);

    await expect(files.open(ref)).rejects.toBeInstanceOf(FileChangedError);
  });

  it("fails when the file grows while it is hashed, though the bytes hashed were all there", async () => {
    const ref = await LocalFileObjectSource.refOf(file);
    beforeFirstRead.change = () => appendFileSync(file, "task\n");

    await expect(files.open(ref)).rejects.toBeInstanceOf(FileChangedError);
  });

  it("opens the file when nothing changes it", async () => {
    const ref = await LocalFileObjectSource.refOf(file);
    beforeFirstRead.change = () => {};

    const opened = await files.open(ref);
    await opened.body[Symbol.asyncIterator]().return?.();

    expect(opened.size).toBe(1_500_000);
  });
});
