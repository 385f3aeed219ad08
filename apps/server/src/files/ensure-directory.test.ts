import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureDirectory } from "./ensure-directory.js";

describe("ensureDirectory", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "anycloud-mkdir-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a directory and its missing parents, and accepts one that exists", async () => {
    const nested = path.join(dir, "a", "b", "c");

    await ensureDirectory(nested);
    await ensureDirectory(nested);

    expect((await stat(nested)).isDirectory()).toBe(true);
  });

  it("refuses a path that is a file, as node does (EEXIST), and a path under a file (ENOTDIR)", async () => {
    const file = path.join(dir, "file");
    await writeFile(file, "");

    await expect(ensureDirectory(file)).rejects.toMatchObject({ code: "EEXIST" });
    await expect(ensureDirectory(path.join(file, "below"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });

  it("makes several at once on the same path without failing", async () => {
    const shared = path.join(dir, "x", "y");

    await Promise.all([ensureDirectory(shared), ensureDirectory(shared), ensureDirectory(shared)]);

    expect((await stat(shared)).isDirectory()).toBe(true);
  });

  // Node's recursive mkdir never settles there (it retries at full CPU): the test's timeout would end it.
  it.runIf(process.platform === "linux")("fails where a parent refuses new entries (/proc)", async () => {
    // mkdir's own error, naming the level that could not be made.
    await expect(ensureDirectory("/proc/anycloud-test/data")).rejects.toMatchObject({
      code: "ENOENT",
      syscall: "mkdir",
      path: "/proc/anycloud-test",
    });
  });
});
