import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "./config.js";
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

  it.each([
    ["empty", ""],
    ["cut short", "c2hvcnQ"],
  ])(
    "refuses a cursor-secret file that is %s, naming the file, and leaves it as it is",
    async (_, content) => {
      await mkdir(dataDir, { recursive: true });
      const file = path.join(dataDir, "cursor-secret");
      await writeFile(file, content);

      const loading = loadOrCreateCursorSecret(dataDir);

      await expect(loading).rejects.toBeInstanceOf(ConfigError);
      await expect(loading).rejects.toThrow(`${file} holds no cursor secret`);
      expect(await readFile(file, "utf8")).toBe(content);
    },
  );

  it("takes a secret written in standard base64, as `openssl rand -base64 32` writes one", async () => {
    await mkdir(dataDir, { recursive: true });
    const secret = Buffer.alloc(32, 0xfb);
    await writeFile(path.join(dataDir, "cursor-secret"), `${secret.toString("base64")}\n`);

    expect((await loadOrCreateCursorSecret(dataDir)).equals(secret)).toBe(true);
  });

  it("leaves no temporary file beside the secret it made", async () => {
    await Promise.all([loadOrCreateCursorSecret(dataDir), loadOrCreateCursorSecret(dataDir)]);

    expect(await readdir(dataDir)).toEqual(["cursor-secret"]);
  });

  it("takes a secret of 16 bytes, the least the cursor codec takes", async () => {
    await mkdir(dataDir, { recursive: true });
    const secret = Buffer.alloc(16, 7);
    await writeFile(path.join(dataDir, "cursor-secret"), secret.toString("base64url"));

    expect((await loadOrCreateCursorSecret(dataDir)).equals(secret)).toBe(true);
  });

  it("says what to do about a file that holds no secret: delete it, or set CURSOR_SECRET", async () => {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, "cursor-secret");
    await writeFile(file, "c2hvcnQ");

    await expect(loadOrCreateCursorSecret(dataDir)).rejects.toThrow(
      `${file} holds no cursor secret (at least 16 bytes, in base64): delete it to have a new one made (list cursors handed out until now are then refused), or set CURSOR_SECRET.`,
    );
  });

  it("fails on a cursor-secret that cannot be read, rather than make another", async () => {
    await mkdir(path.join(dataDir, "cursor-secret"), { recursive: true });

    await expect(loadOrCreateCursorSecret(dataDir)).rejects.toMatchObject({ code: "EISDIR" });
  });
});
