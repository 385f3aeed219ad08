import { randomBytes } from "node:crypto";
import { link, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "./config.js";
import { ensureDirectory } from "./files/ensure-directory.js";

const FILE_NAME = "cursor-secret";

/** The cursor codec's own minimum: a shorter secret would fail deep in core, naming no file. */
const MIN_SECRET_BYTES = 16;

/**
 * The secret that signs list cursors, kept beside the data so that cursors stay valid across restarts:
 * read from `dataDir/cursor-secret`, or generated there (readable by the owner only) on first start.
 */
export async function loadOrCreateCursorSecret(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, FILE_NAME);
  const existing = await readSecret(file);
  if (existing) return existing;

  await ensureDirectory(dataDir);
  const secret = randomBytes(32);
  // Written whole under a temporary name, then linked into place: link() fails if the file exists, so when
  // two processes start at once both end up with the first one's secret, never a half-written file.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(temporary, secret.toString("base64url"), { mode: 0o600 });
  try {
    await link(temporary, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return (await readSecret(file))!;
  } finally {
    await unlink(temporary);
  }
}

/**
 * The secret kept in `file`, or undefined when there is none. A file that holds no usable secret (empty,
 * truncated, edited) is a setting the user must fix, named as such: it is not replaced, since every cursor
 * handed out would then be refused without a word.
 */
async function readSecret(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const secret = Buffer.from(text, "base64url");
  if (secret.length < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `${file} holds no cursor secret (at least ${MIN_SECRET_BYTES} bytes, in base64): delete it to have a new one ` +
        "made (list cursors handed out until now are then refused), or set CURSOR_SECRET.",
    );
  }
  return secret;
}
