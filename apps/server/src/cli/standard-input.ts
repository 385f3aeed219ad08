import { createWriteStream, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ConfigError } from "../config.js";
import { OutputError } from "./list-todos.js";

/** The container of an import read from standard input (`todo import -`); its key is `-`. */
export const STANDARD_INPUT = "stdin";

/** Standard input, copied whole to a file of its own; `remove` deletes it (once the import has read it). */
export interface SpooledInput {
  path: string;
  remove: () => Promise<void>;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Copies `input` (standard input) to a new file in a directory only this user may enter, for `todo import -`.
 * An import needs its bytes' version before its first row (its todos' ids derive from it), and a retry needs
 * the same bytes again: a pipe gives them once, as they come. The file holds them, hashed and read as a file
 * named on the command line is; memory stays flat whatever their size. `signal` stops the copy (Ctrl-C), and
 * the file is removed then too.
 *
 * Until it is removed, a second Ctrl-C (or SIGTERM), which kills the process rather than wait for the first
 * one's clean stop, removes the copy first: it may hold gigabytes, in a directory no later run finds again.
 */
export async function spoolInput(input: Readable, signal: AbortSignal): Promise<SpooledInput> {
  // Named in the errors: the user chose neither this directory nor the file in it.
  const where = `copy of standard input in TMPDIR=${tmpdir()}`;
  const directory = await mkdtemp(path.join(tmpdir(), "todo-import-")).catch((error: unknown) => {
    throw new ConfigError(`cannot make the ${where}: ${(error as Error).message}`, { cause: error });
  });
  const removedAtSecondSignal = removeAtSecondSignal(directory);
  const remove = async () => {
    removedAtSecondSignal.cancel();
    await rm(directory, { recursive: true, force: true });
  };
  const file = path.join(directory, "stdin.csv");
  const output = createWriteStream(file, { flags: "wx", mode: 0o600 });
  // The stream that failed first: the pipeline then destroys the other with the same error.
  let failed: "input" | "output" | undefined;
  input.once("error", () => {
    failed ??= "input";
  });
  output.once("error", () => {
    failed ??= "output";
  });
  try {
    await pipeline(input, output, { signal });
    return { path: file, remove };
  } catch (error) {
    await remove();
    if (signal.aborted) throw signal.reason;
    // A full disk is a write that failed, as the report's is; a failed read, input the command cannot read.
    if (failed === "output") throw new OutputError(where, error as NodeJS.ErrnoException);
    throw new UnreadableInputError(error);
  }
}

/** Standard input could not be read (opened for writing only, a device that failed). */
export class UnreadableInputError extends Error {
  constructor(cause: unknown) {
    super(`cannot read standard input: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Listens for SIGINT and SIGTERM beside the command's own handlers, which stop the import cleanly on the first
 * one and then let the next kill the process (they stop listening at the first). This one lets the first pass,
 * and on the second removes `directory` (synchronously: the process ends next) and dies by that signal, as it
 * would have without this listener (exit status 130 for SIGINT, as shells report it).
 */
function removeAtSecondSignal(directory: string): { cancel: () => void } {
  let signalsSeen = 0;
  const onSignal = (received: NodeJS.Signals) => {
    signalsSeen += 1;
    if (signalsSeen < 2) return;
    rmSync(directory, { recursive: true, force: true });
    cancel();
    // With no listener left, node's default takes the signal again: the process ends as killed by it.
    process.kill(process.pid, received);
  };
  const cancel = () => {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return { cancel };
}
