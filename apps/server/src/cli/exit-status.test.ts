import {
  ImportInProgressError,
  ImportLeaseLostError,
  ObjectNotFoundError,
  StoreUnavailableError,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config.js";
import { FileChangedError, NotAFileError } from "../files/local-file-object-source.js";
import { StoreCloseError } from "./closing-store.js";
import { UsageError } from "./command-line.js";
import { exitStatusOf } from "./exit-status.js";
import {
  ImportStoppedError,
  ImportUnrecordedError,
  InterruptedError,
  QuoteChangedError,
} from "./import-file.js";
import { OutputError } from "./list-todos.js";
import { UnreadableInputError } from "./standard-input.js";

/** A node error of a system call, as `fs` throws it. */
const systemError = (code: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${code}: what the system call said`), { code, ...fields });

const storeFailure = () =>
  new StoreUnavailableError("The todo store is unavailable.", { cause: new Error("database is locked") });

describe("exitStatusOf", () => {
  it("answers 128 + the signal's number for an interrupted import: 130 for SIGINT, 143 for SIGTERM", () => {
    expect(exitStatusOf(new InterruptedError("SIGINT"))).toEqual({
      code: 130,
      message: "interrupted: the import is recorded FAILED; run the same command again to finish it.",
    });
    expect(exitStatusOf(new InterruptedError("SIGTERM"))).toMatchObject({ code: 143 });
  });

  it.each([
    ["an import already running", new ImportInProgressError("import-1", "2030-01-01T00:00:00.000Z")],
    ["a stopped import", new ImportStoppedError(storeFailure())],
    [
      "an import whose end was not recorded",
      new ImportUnrecordedError(storeFailure(), "2030-01-01T00:00:00.000Z"),
    ],
    ["output that could not be written", new OutputError("list", systemError("ENOSPC"))],
    ["a store that could not be closed", new StoreCloseError(systemError("SQLITE_FULL"))],
    ["a file that changed while it was read", new FileChangedError("/data/todos.csv")],
  ])("answers 1 with the error's own message for %s", (_, error) => {
    expect(exitStatusOf(error)).toEqual({ code: 1, message: error.message });
  });

  it("answers 1 for an import another run took over, saying to run the command again", () => {
    expect(exitStatusOf(new ImportLeaseLostError("import-1", 2))).toEqual({
      code: 1,
      message:
        "this import was held up, and another `todo import` or the server took it over and went on with it. Run the same command again for its outcome.",
    });
  });

  it("answers 1 for a store that failed, with its cause when it has one", () => {
    expect(exitStatusOf(storeFailure())).toEqual({
      code: 1,
      message: "The todo store is unavailable. (database is locked)",
    });
    expect(exitStatusOf(new StoreUnavailableError("The todo store is unavailable."))).toEqual({
      code: 1,
      message: "The todo store is unavailable.",
    });
  });

  it.each([
    ["ENOENT", "there is no such file"],
    ["EACCES", "permission denied"],
    ["EPERM", "permission denied"],
    ["EISDIR", "it is a directory"],
    ["ENOTDIR", "a part of the path is not a directory"],
    ["ELOOP", "too many symbolic links"],
    ["ENAMETOOLONG", "the name is too long"],
  ])("answers 2 for a file the system refused with %s, in words", (code, words) => {
    expect(exitStatusOf(systemError(code, { path: "/home/ann/todos.csv" }))).toEqual({
      code: 2,
      message: `/home/ann/todos.csv: ${words}.`,
    });
  });

  it("answers 2 with the system's own message for a file error that names no path", () => {
    const error = systemError("ENOENT");

    expect(exitStatusOf(error)).toEqual({ code: 2, message: error.message });
  });

  it.each([
    ["a usage error", new UsageError("no command.")],
    ["a --quote other than the earlier run's", new QuoteChangedError("todos.csv")],
    ["a setting", new ConfigError('TODO_STORE must be sqlite, memory or dynamodb, not "x".')],
    ["a path that is no file", new NotAFileError("/dev/null is not a file.")],
    ["standard input it cannot read", new UnreadableInputError(systemError("EBADF"))],
    ["an S3 object that is not there", new ObjectNotFoundError({ container: "bucket", key: "todos.csv" })],
    ["an unknown option", systemError("ERR_PARSE_ARGS_UNKNOWN_OPTION")],
    ["a positional that looks like an option", systemError("ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")],
  ])("answers 2 with the error's own message for %s", (_, error) => {
    expect(exitStatusOf(error)).toEqual({ code: 2, message: error.message });
  });

  it.each([
    ["an error of no known kind", new TypeError("Cannot read properties of undefined")],
    ["a system error the user cannot act on", systemError("ECONNRESET", { path: "/home/ann/todos.csv" })],
    ["an error whose code only contains a parse-args code", systemError("X_ERR_PARSE_ARGS_UNKNOWN_OPTION")],
    ["a value thrown that is no error", "boom"],
  ])("answers nothing (a bug, printed whole) for %s", (_, error) => {
    expect(exitStatusOf(error)).toBeUndefined();
  });
});
