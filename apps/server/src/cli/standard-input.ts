import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The container of an import read from standard input (`todo import -`); its key is `-`. */
export const STANDARD_INPUT = "stdin";

/** Standard input, copied whole to a file of its own; `remove` deletes it (once the import has read it). */
export interface SpooledInput {
  path: string;
  remove: () => Promise<void>;
}

/**
 * Copies `input` (standard input) to a new file in a directory only this user may enter, for `todo import -`.
 * An import needs its bytes' version before its first row (its todos' ids derive from it), and a retry needs
 * the same bytes again: a pipe gives them once, as they come. The file holds them, hashed and read as a file
 * named on the command line is; memory stays flat whatever their size. `signal` stops the copy (Ctrl-C), and
 * the file is removed then too.
 */
export async function spoolInput(input: Readable, signal: AbortSignal): Promise<SpooledInput> {
  const directory = await mkdtemp(path.join(tmpdir(), "todo-import-"));
  const remove = () => rm(directory, { recursive: true, force: true });
  const file = path.join(directory, "stdin.csv");
  try {
    await pipeline(input, createWriteStream(file, { flags: "wx", mode: 0o600 }), { signal });
    return { path: file, remove };
  } catch (error) {
    await remove();
    throw signal.aborted ? signal.reason : error;
  }
}
