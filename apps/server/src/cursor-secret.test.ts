import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadOrCreateCursorSecret } from "./cursor-secret.js";

describe("loadOrCreateCursorSecret", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = path.join(await mkdtemp(path.join(tmpdir(), "anycloud-secret-")), "nested");
  });
  afterEach(async () => {
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  it("creates a 32-byte secret readable by the owner only, then returns the same one", async () => {
    const first = await loadOrCreateCursorSecret(dataDir);
    const second = await loadOrCreateCursorSecret(dataDir);

    expect(first).toHaveLength(32);
    expect(second.equals(first)).toBe(true);
    expect((await stat(path.join(dataDir, "cursor-secret"))).mode & 0o777).toBe(0o600);
    expect((await readFile(path.join(dataDir, "cursor-secret"), "utf8")).trim()).toBe(
      first.toString("base64url"),
    );
  });

  it("agrees on one secret when two starts race on one DATA_DIR, as two processes starting at once do", async () => {
    const [a, b] = await Promise.all([loadOrCreateCursorSecret(dataDir), loadOrCreateCursorSecret(dataDir)]);

    expect(a.equals(b)).toBe(true);
  });
});
