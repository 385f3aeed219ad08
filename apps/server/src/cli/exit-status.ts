import {
  ImportInProgressError,
  ImportLeaseLostError,
  ObjectNotFoundError,
  StoreUnavailableError,
} from "@anycloud/core";
import { ConfigError } from "../config.js";
import { FileChangedError, NotAFileError } from "../files/local-file-object-source.js";
import { StoreCloseError } from "./closing-store.js";
import { UsageError } from "./command-line.js";
import {
  ImportStoppedError,
  ImportUnrecordedError,
  InterruptedError,
  QuoteChangedError,
} from "./import-file.js";
import { OutputError } from "./list-todos.js";
import { UnreadableInputError } from "./standard-input.js";

// What the user can fix about a file named on the command line, said in words: node's own message is the
// system call's (`ENOENT: no such file or directory, stat '/home/ann/todos.csv'`).
const FILE_ERRORS = new Map([
  ["ENOENT", "there is no such file"],
  ["EACCES", "permission denied"],
  ["EPERM", "permission denied"],
  ["EISDIR", "it is a directory"],
  ["ENOTDIR", "a part of the path is not a directory"],
  ["ELOOP", "too many symbolic links"],
  ["ENAMETOOLONG", "the name is too long"],
]);

/** The exit code and one line for an error the user can act on; undefined for a bug (printed whole). */
export function exitStatusOf(error: unknown): { code: number; message: string } | undefined {
  const message = (error as Error).message;
  // 128 + the signal's number, as shells report a process the signal killed: 130 for SIGINT, 143 for SIGTERM.
  if (error instanceof InterruptedError) return { code: error.signal === "SIGTERM" ? 143 : 130, message };
  if (
    error instanceof ImportInProgressError ||
    error instanceof ImportStoppedError ||
    error instanceof ImportUnrecordedError ||
    error instanceof OutputError ||
    error instanceof StoreCloseError ||
    error instanceof FileChangedError
  ) {
    return { code: 1, message };
  }
  // This run was held up past its lease (suspended, or stuck on a slow disk or store), and another took over.
  if (error instanceof ImportLeaseLostError) {
    return {
      code: 1,
      message: `this import was held up, and another \`todo import\` or the server took it over and went on with it. Run the same command again for its outcome.`,
    };
  }
  // A store that fails while it is used (locked, unreachable): its cause is what the user can look into.
  if (error instanceof StoreUnavailableError) {
    const cause = (error.cause as Error | undefined)?.message;
    return { code: 1, message: cause ? `${message} (${cause})` : message };
  }
  const code = String((error as { code?: unknown }).code);
  const fileProblem = FILE_ERRORS.get(code);
  if (fileProblem !== undefined) {
    const filePath = (error as { path?: unknown }).path;
    return { code: 2, message: typeof filePath === "string" ? `${filePath}: ${fileProblem}.` : message };
  }
  const usage =
    error instanceof UsageError ||
    error instanceof QuoteChangedError ||
    error instanceof ConfigError ||
    error instanceof NotAFileError ||
    error instanceof UnreadableInputError ||
    error instanceof ObjectNotFoundError ||
    // parseArgs: an unknown option, or a file name that starts with "-" (write `todo import -- -a.csv`).
    code.startsWith("ERR_PARSE_ARGS");
  return usage ? { code: 2, message } : undefined;
}
