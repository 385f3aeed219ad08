import { mkdir, stat } from "node:fs/promises";
import path from "node:path";

/**
 * `mkdir -p`: creates `directory` and its missing parents, and accepts one that exists. Node's own
 * `mkdir(directory, { recursive: true })` spins for ever at full CPU when a parent refuses new entries with
 * ENOENT (`DATA_DIR=/proc/todos` hung the server and the CLI); here each level is tried once, and an error that
 * remains is thrown.
 */
export async function ensureDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      // A file of that name is no directory: the EEXIST stands, as node's recursive mkdir throws it.
      if ((await stat(directory)).isDirectory()) return;
      throw error;
    }
    const parent = path.dirname(directory);
    if (code !== "ENOENT" || parent === directory) throw error;
    await ensureDirectory(parent);
    try {
      await mkdir(directory);
    } catch (again) {
      // Made meanwhile by another process starting on the same DATA_DIR.
      if ((again as NodeJS.ErrnoException).code !== "EEXIST" || !(await stat(directory)).isDirectory()) {
        throw again;
      }
    }
  }
}
