import { mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import {
  type ImportLedger,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  type PutManyOptions,
  type PutManyResult,
  StoreUnavailableError,
  silentLogger,
  systemClock,
  type Todo,
} from "@anycloud/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../config.js";
import type { ServerApp } from "../container.js";
import { FileChangedError, LocalFileObjectSource } from "../files/local-file-object-source.js";
import { UsageError } from "./command-line.js";
import { exitStatusOf } from "./exit-status.js";
import {
  ImportStoppedError,
  ImportUnrecordedError,
  InterruptedBeforeImportError,
  InterruptedError,
  importFile,
  QuoteChangedError,
} from "./import-file.js";
import { LedgerWatch } from "./ledger-watch.js";
import { OutputError } from "./list-todos.js";
import { ProgressBar } from "./progress-bar.js";

/** A todo store whose writes wait until the import is stopped, and say when the first one starts. */
class StalledTodos extends InMemoryTodoRepository {
  private started!: () => void;
  readonly writing = new Promise<void>((resolve) => {
    this.started = resolve;
  });

  override putMany(_todos: readonly Todo[], { signal }: PutManyOptions = {}): Promise<PutManyResult> {
    this.started();
    return new Promise((_, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }
}

/** A todo store of batches of one that writes the first, then stalls as `StalledTodos` does until `resume`. */
class StallsAfterFirstBatch extends InMemoryTodoRepository {
  override readonly preferredBatchSize = 1;
  private stalling = true;
  private batches = 0;
  private started!: () => void;
  readonly stalled = new Promise<void>((resolve) => {
    this.started = resolve;
  });

  resume(): void {
    this.stalling = false;
  }

  override putMany(todos: readonly Todo[], options: PutManyOptions = {}): Promise<PutManyResult> {
    if (!this.stalling || this.batches++ === 0) return super.putMany(todos, options);
    this.started();
    return new Promise((_, reject) => {
      options.signal?.addEventListener("abort", () => reject(options.signal!.reason), { once: true });
    });
  }
}

/** An import ledger that answers the claim, then stops answering: its store went away during the import. */
class LedgerLostMidway extends InMemoryImportLedger {
  override async finish(): Promise<boolean> {
    throw new StoreUnavailableError("The import ledger is unavailable.");
  }
}

/** `todo import <file>` as the CLI runs it, into `todos`, its ledger watched as the CLI watches its own. */
function importInto(
  todos: InMemoryTodoRepository,
  ledger: ImportLedger,
  file: string,
  quote: "auto" | '"' | "'" = "auto",
): Promise<number> {
  const watch = new LedgerWatch();
  const app = {
    todos,
    importTodos: new ImportTodos(todos, watch.watch(ledger), systemClock, silentLogger),
    close: async () => {},
  } as unknown as ServerApp;
  const command = { name: "import", location: file, quote, json: false } as const;
  return importFile(app, command, readConfig({ TODO_STORE: "memory" }), watch);
}

describe("importFile stopped by Ctrl-C", () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "anycloud-import-file-"));
    file = path.join(dir, "todos.csv");
    await writeFile(file, "task,name\none,Ann\ntwo,Bob\n");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `todo import` of the file on `ledger`, and sends it SIGINT once it writes. */
  async function interruptedImport(ledger: ImportLedger): Promise<InterruptedError> {
    const todos = new StalledTodos();
    const running = importInto(todos, ledger, file);
    await todos.writing;
    process.emit("SIGINT", "SIGINT");
    const error = await running.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(InterruptedError);
    return error as InterruptedError;
  }

  it("says it recorded the import FAILED when it did", async () => {
    const ledger = new InMemoryImportLedger();

    const error = await interruptedImport(ledger);

    expect(error.signal).toBe("SIGINT");
    expect(error.message).toMatch(/^interrupted: the import is recorded FAILED; run the same command again/);
  });

  it("does not say so when the store did not answer, and says until when the import is held", async () => {
    const error = await interruptedImport(new LedgerLostMidway());

    expect(error.signal).toBe("SIGINT");
    expect(error.message).not.toMatch(/is recorded FAILED/);
    expect(error.message).toMatch(
      /^interrupted, but the store did not answer: the import may still count as running, until its lease runs out at \d{4}-\d\d-\d\dT[\d:.]+Z at the latest\. Run the same command again then to finish it\.$/,
    );
  });
});

describe("importFile run again after Ctrl-C", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "anycloud-import-file-"));
    // Printed reports are not what these tests look at.
    vi.spyOn(process.stdout, "write").mockImplementation((_chunk, ...rest: unknown[]) => {
      const callback = rest.find((argument) => typeof argument === "function") as (() => void) | undefined;
      callback?.();
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  // The watched ledger is the one the CLI composes: it must pass on the checkpoint core records with a renewal
  // and with the FAILED outcome, or the retry writes every row again and a todo deleted meanwhile comes back.
  it("resumes at the checkpoint through the watched ledger: a todo deleted in between stays deleted", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task,name\none,Ann\ntwo,Bob\nthree,Cy\n");
    const todos = new StallsAfterFirstBatch();
    const ledger = new InMemoryImportLedger();
    const run = () => importInto(todos, ledger, file);

    const first = run();
    await todos.stalled;
    process.emit("SIGINT", "SIGINT");
    await expect(first).rejects.toBeInstanceOf(InterruptedError);
    const written = (await todos.list({ limit: 10 })).items;
    expect(written.map((todo) => todo.task)).toEqual(["one"]);
    await todos.delete(written[0]!.id);

    todos.resume();
    expect(await run()).toBe(0);

    expect((await todos.list({ limit: 10 })).items.map((todo) => todo.task)).toEqual(["two", "three"]);
  });

  // Its checkpoint counts lines of the file as the first run read it: read with other quotes, the lines before
  // it would be other rows, counted imported but never written.
  it("refuses to go on with another --quote than the interrupted run's, exit 2, and goes on with the same", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task,name\n'one',Ann\n'two',Bob\n'three',Cy\n");
    const todos = new StallsAfterFirstBatch();
    const ledger = new InMemoryImportLedger();

    const first = importInto(todos, ledger, file, '"');
    await todos.stalled;
    process.emit("SIGINT", "SIGINT");
    await expect(first).rejects.toBeInstanceOf(InterruptedError);
    todos.resume();

    const other = await importInto(todos, ledger, file, "'").catch((error: unknown) => error);
    expect(other).toBeInstanceOf(QuoteChangedError);
    expect(exitStatusOf(other)).toEqual({
      code: 2,
      message: `${file} was imported before with --quote double, and its todos are as that run read them: run the same command with --quote double to finish or repeat it.`,
    });
    expect((await todos.list({ limit: 10 })).items.map((todo) => todo.task)).toEqual(["'one'"]);

    expect(await importInto(todos, ledger, file, '"')).toBe(0);
    expect((await todos.list({ limit: 10 })).items.map((todo) => todo.task)).toEqual([
      "'one'",
      "'two'",
      "'three'",
    ]);
  });

  it("refuses to repeat a finished import with another --quote, where it would answer the earlier report", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task,name\n'one',Ann\n");
    const todos = new InMemoryTodoRepository();
    const ledger = new InMemoryImportLedger();
    expect(await importInto(todos, ledger, file, '"')).toBe(0);

    await expect(importInto(todos, ledger, file, "'")).rejects.toBeInstanceOf(QuoteChangedError);
    await expect(importInto(todos, ledger, file, "auto")).rejects.toThrow(
      `${file} was imported before with --quote double, and its todos are as that run read them: run the same command with --quote double to finish or repeat it.`,
    );
    expect(await importInto(todos, ledger, file, '"')).toBe(0);
    expect((await todos.list({ limit: 10 })).items.map((todo) => todo.task)).toEqual(["'one'"]);
  });
});

/** A todo store that fails every write, as SQLite does while another program holds its write lock. */
class FailingTodos extends InMemoryTodoRepository {
  override async putMany(): Promise<PutManyResult> {
    throw new StoreUnavailableError("The todo store is unavailable.", {
      cause: new Error("database is locked"),
    });
  }
}

describe("importFile when the store fails during the import", () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "anycloud-import-file-"));
    file = path.join(dir, "todos.csv");
    await writeFile(file, "task,name\none,Ann\n");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function failedImport(ledger: ImportLedger): Promise<unknown> {
    return importInto(new FailingTodos(), ledger, file).catch((error: unknown) => error);
  }

  it("says the store's reason, exit 1, and that running it again finishes it, when the import is recorded FAILED", async () => {
    const error = await failedImport(new InMemoryImportLedger());

    expect(error).toBeInstanceOf(ImportStoppedError);
    expect(exitStatusOf(error)).toEqual({
      code: 1,
      message:
        "The todo store is unavailable (database is locked): the import stopped, and is recorded FAILED; run the same command again to finish it.",
    });
  });

  // Else the next run is refused as "already running" though nothing runs, with nothing said of why.
  it("says until when the import counts as running when its end could not be recorded either", async () => {
    const error = await failedImport(new LedgerLostMidway());

    expect(error).toBeInstanceOf(ImportUnrecordedError);
    expect(exitStatusOf(error)).toEqual({
      code: 1,
      message: expect.stringMatching(
        /^The todo store is unavailable \(database is locked\), and the import could not be recorded FAILED: it may still count as running, until its lease runs out at \d{4}-\d\d-\d\dT[\d:.]+Z at the latest\. Run the same command again then to finish it\.$/,
      ),
    });
  });
});

describe("importFile when the store does not record an import that read the whole file", () => {
  it("says the file was imported and could not be recorded COMPLETED, not FAILED, and until when it counts as running", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "anycloud-import-file-"));
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\none\n");
    try {
      const error = await importInto(new InMemoryTodoRepository(), new LedgerLostMidway(), file).catch(
        (caught: unknown) => caught,
      );

      expect(error).toBeInstanceOf(ImportUnrecordedError);
      expect(exitStatusOf(error)).toEqual({
        code: 1,
        message: expect.stringMatching(
          /^The import ledger is unavailable, after the whole file was imported: the import could not be recorded COMPLETED, and may still count as running, until its lease runs out at \d{4}-\d\d-\d\dT[\d:.]+Z at the latest\. Run the same command again then to finish it\.$/,
        ),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("importFile when a bug stops the import and its end is not recorded", () => {
  it("throws the bug as it is, not as a store failure", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "anycloud-import-file-"));
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\none\n");
    const bug = new TypeError("Cannot read properties of undefined");
    const todos = new (class extends InMemoryTodoRepository {
      override async putMany(): Promise<PutManyResult> {
        throw bug;
      }
    })();
    try {
      const error = await importInto(todos, new LedgerLostMidway(), file).catch(
        (failure: unknown) => failure,
      );

      expect(error).toBe(bug);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("importFile of a file that changes while its version is read", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("says that nothing was imported, not that rows imported so far stay", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "anycloud-import-file-"));
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\none\n");
    // As when the file grows while it is hashed, before the import is claimed.
    vi.spyOn(LocalFileObjectSource.prototype, "open").mockRejectedValue(new FileChangedError(file));
    try {
      const error = await importInto(new InMemoryTodoRepository(), new InMemoryImportLedger(), file).catch(
        (failure: unknown) => failure,
      );

      expect(exitStatusOf(error)).toEqual({
        code: 1,
        message: `${await realpath(file)} changed while it was read, before its import started: nothing was imported. Import it once it is complete.`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("importFile of standard input (-)", () => {
  let tmp: string;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), "anycloud-import-stdin-"));
    vi.stubEnv("TMPDIR", tmp);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await rm(tmp, { recursive: true, force: true });
  });

  // Once copied, the copy is hashed for its version before the import starts (a second or more for a large
  // input): a Ctrl-C then must find a handler that removes the copy, not node's default, which kills the process
  // and leaves it in TMPDIR.
  it("removes its copy, and imports nothing, on a Ctrl-C that comes while the copy is hashed", async () => {
    vi.spyOn(process, "stdin", "get").mockReturnValue(
      Readable.from([Buffer.from("task\none\n")]) as unknown as typeof process.stdin,
    );
    const open = LocalFileObjectSource.prototype.open;
    vi.spyOn(LocalFileObjectSource.prototype, "open").mockImplementation(function (
      this: LocalFileObjectSource,
      ref,
    ) {
      process.emit("SIGINT", "SIGINT");
      return open.call(this, ref);
    });
    const todos = new InMemoryTodoRepository();

    const error = await importInto(todos, new InMemoryImportLedger(), "-").catch(
      (failure: unknown) => failure,
    );

    expect(error).toBeInstanceOf(InterruptedBeforeImportError);
    expect(exitStatusOf(error)).toEqual({
      code: 130,
      message: "interrupted before the import started: nothing was imported.",
    });
    expect(await readdir(tmp)).toEqual([]);
    expect((await todos.list({ limit: 10 })).items).toEqual([]);
  });

  it("names standard input, not '-', when the same bytes were imported before with another --quote", async () => {
    const piped = () =>
      vi
        .spyOn(process, "stdin", "get")
        .mockReturnValue(Readable.from([Buffer.from("task\n'one'\n")]) as unknown as typeof process.stdin);
    vi.spyOn(process.stdout, "write").mockImplementation((_chunk, ...rest: unknown[]) => {
      (rest.find((argument) => typeof argument === "function") as (() => void) | undefined)?.();
      return true;
    });
    const todos = new InMemoryTodoRepository();
    const ledger = new InMemoryImportLedger();
    piped();
    expect(await importInto(todos, ledger, "-", '"')).toBe(0);

    piped();
    const error = await importInto(todos, ledger, "-", "'").catch((failure: unknown) => failure);

    expect(exitStatusOf(error)).toEqual({
      code: 2,
      message:
        "standard input (the same bytes) was imported before with --quote double, and its todos are as that run read them: run the same command with --quote double to finish or repeat it.",
    });
  });
});

describe("importFile's report and source", () => {
  let dir: string;
  let printed: string[];
  let errorOutput: string[];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "anycloud-import-file-"));
    printed = [];
    errorOutput = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk, ...rest: unknown[]) => {
      printed.push(String(chunk));
      (rest.find((argument) => typeof argument === "function") as (() => void) | undefined)?.();
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      errorOutput.push(String(chunk));
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  /** A clock whose every reading after the first is 1.5 s after it: an import that takes 1.5 s. */
  const oneAndAHalfSeconds = () => {
    let readings = 0;
    return { now: () => new Date(Date.UTC(2030, 0, 1) + (readings++ === 0 ? 0 : 1500)) };
  };

  /** `todo import` as the CLI runs it, with `--json` if asked, on a clock of 1.5 s imports. */
  function run(
    location: string,
    {
      todos = new InMemoryTodoRepository(),
      ledger = new InMemoryImportLedger(),
      json = false,
      maxErrors,
    }: { todos?: InMemoryTodoRepository; ledger?: ImportLedger; json?: boolean; maxErrors?: number } = {},
  ): Promise<number> {
    const watch = new LedgerWatch();
    const importTodos = new ImportTodos(
      todos,
      watch.watch(ledger),
      oneAndAHalfSeconds(),
      silentLogger,
      undefined,
      maxErrors === undefined ? {} : { maxErrors },
    );
    const app = { todos, importTodos, close: async () => {} } as unknown as ServerApp;
    const command = { name: "import", location, quote: "auto", json } as const;
    return importFile(app, command, readConfig({ TODO_STORE: "memory" }), watch);
  }

  const rows = (count: number) => Array.from({ length: count }, (_, index) => `task ${index + 1}\n`).join("");

  it("prints the counts, the time taken, the import's id and its first errors, and exits 0", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, `task,dueDate\n${rows(1001).replaceAll("\n", ",\n")}late,someday\nlater,never\n`);

    const code = await run(file, { maxErrors: 1 });

    const lines = printed.join("").split("\n");
    expect(code).toBe(0);
    expect(lines[0]).toBe("COMPLETED: 1,001 imported, 2 rejected, 0 failed of 1,003 rows in 1.50 s");
    expect(lines[1]).toMatch(/^import \S+$/);
    expect(lines[2]).toMatch(/^ {2}line 1003: \S/);
    expect(lines.slice(3)).toEqual(["  (more errors not shown)", ""]);
  });

  it("prints the report as JSON with --json", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\none\n");

    await run(file, { json: true });

    const text = printed.join("");
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(JSON.parse(text)).toMatchObject({ status: "COMPLETED", imported: 1, durationMs: 1500 });
  });

  it("says first that nothing was imported from a file that is no todo CSV, and exits 2", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "title\none\n");

    const code = await run(file);

    const lines = printed.join("").split("\n");
    expect(code).toBe(2);
    expect(lines[0]).toBe("NOT IMPORTED: the file is not a todo CSV.");
    expect(lines[1]).toMatch(/^import \S+$/);
    expect(lines[2]).toBe("The header is not usable: no rows were read.");
    expect(lines[3]).toMatch(/^ {2}line 1: \S/);
  });

  it("prints core's note on a file of no rows, and no line of errors", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\n");

    await run(file);

    const lines = printed.join("").split("\n");
    expect(lines[0]).toBe("COMPLETED: 0 imported, 0 rejected, 0 failed of 0 rows in 1.50 s");
    expect(lines[2]).toMatch(/\S/);
    expect(lines.slice(3)).toEqual([""]);
  });

  it("fails with an OutputError naming the report when stdout cannot take it (a full disk)", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\none\n");
    vi.spyOn(process.stdout, "write").mockImplementation((_chunk, ...rest: unknown[]) => {
      const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      (rest.find((argument) => typeof argument === "function") as ((error: Error) => void) | undefined)?.(
        full,
      );
      return false;
    });

    const error = await run(file).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(OutputError);
    expect(exitStatusOf(error)).toEqual({
      code: 1,
      message: "could not write the report: ENOSPC: no space left on device, write",
    });
  });

  it("exits 1 when the report says rows failed", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\none\n");
    const todos = new (class extends InMemoryTodoRepository {
      override async putMany(batch: readonly Todo[]): Promise<PutManyResult> {
        return { failed: batch.map((todo) => ({ id: todo.id, reason: "throttled" })) };
      }
    })();

    const code = await run(file, { todos });

    expect(code).toBe(1);
    expect(printed.join("")).toMatch(/^FAILED: 0 imported, 0 rejected, 1 failed of 1 rows/);
  });

  it("draws progress against the file's size", async () => {
    const file = path.join(dir, "todos.csv");
    const text = `task\n${rows(1000)}`;
    await writeFile(file, text);
    const update = vi.spyOn(ProgressBar.prototype, "update");

    await run(file);

    expect(update).toHaveBeenCalledWith(
      expect.objectContaining({ rowsRead: 1000, totalBytes: Buffer.byteLength(text) }),
    );
  });

  it("records a file's import under its real path and the version it read, and stops listening for Ctrl-C", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\none\n");
    const ledger = new InMemoryImportLedger();
    const listening = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];

    await run(file, { ledger, json: true });

    const { importId } = JSON.parse(printed.join(""));
    expect((await ledger.get(importId))?.source).toEqual({
      container: "file",
      key: await realpath(file),
      fingerprint: "quote=auto",
      version: expect.stringMatching(/^sha256:[\w-]{43}$/),
    });
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(listening);
  });

  it("records standard input as stdin/- at the version it read, and stops listening for Ctrl-C", async () => {
    vi.spyOn(process, "stdin", "get").mockReturnValue(
      Readable.from([Buffer.from("task\none\n")]) as unknown as typeof process.stdin,
    );
    const ledger = new InMemoryImportLedger();
    const listening = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];

    await run("-", { ledger, json: true });

    const { importId } = JSON.parse(printed.join(""));
    expect((await ledger.get(importId))?.source).toEqual({
      container: "stdin",
      key: "-",
      fingerprint: "quote=auto",
      version: expect.stringMatching(/^sha256:[\w-]{43}$/),
    });
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(listening);
    expect(errorOutput).toEqual([]);
  });

  it("tells how to end input typed on a terminal", async () => {
    const stdin = Object.assign(Readable.from([Buffer.from("task\none\n")]), { isTTY: true });
    vi.spyOn(process, "stdin", "get").mockReturnValue(stdin as unknown as typeof process.stdin);

    await run("-");

    expect(errorOutput).toEqual(["todo: reading CSV from the terminal; end it with Ctrl-D.\n"]);
  });

  it("stops on SIGTERM as on Ctrl-C, with exit status 143", async () => {
    const file = path.join(dir, "todos.csv");
    await writeFile(file, "task\none\n");
    const todos = new StalledTodos();
    const running = run(file, { todos });
    await todos.writing;

    process.emit("SIGTERM", "SIGTERM");

    const error = await running.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(exitStatusOf(error)).toMatchObject({ code: 143 });
  });

  it("finds a relative name in INIT_CWD only when it runs as the `todo` script", async () => {
    await writeFile(path.join(dir, "todos.csv"), "task\none\n");
    vi.stubEnv("INIT_CWD", dir);

    vi.stubEnv("npm_lifecycle_event", "todo");
    const asScript = await run("todos.csv");
    vi.stubEnv("npm_lifecycle_event", "test");
    const otherwise = await run("todos.csv").catch((error: unknown) => error);

    expect(asScript).toBe(0);
    expect(otherwise).toMatchObject({ code: "ENOENT", path: path.resolve("todos.csv") });
  });

  it("refuses an s3:// location that names no bucket and key, before it loads the AWS SDK", async () => {
    await expect(run("s3://Bad_Bucket/todos.csv")).rejects.toThrow(
      new UsageError("s3://Bad_Bucket/todos.csv: an S3 object is s3://bucket/key."),
    );
  });
});

describe("the errors of a store that failed during an import", () => {
  it("chain the store's error, and say its message when it gave no cause", () => {
    const failure = new StoreUnavailableError("The todo store v1.2 is unavailable.");

    const stopped = new ImportStoppedError(failure);
    const unrecorded = new ImportUnrecordedError(failure, "2030-01-01T00:01:00.000Z");

    expect(stopped.cause).toBe(failure);
    expect(stopped.message).toBe(
      "The todo store v1.2 is unavailable: the import stopped, and is recorded FAILED; run the same command again to finish it.",
    );
    expect(unrecorded.cause).toBe(failure);
    expect(unrecorded.message).toMatch(
      /^The todo store v1\.2 is unavailable, and the import could not be recorded FAILED/,
    );
  });
});
