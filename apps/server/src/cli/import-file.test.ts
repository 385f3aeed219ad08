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
      message: `${file} was imported before with another --quote, and its todos are as that run read them: run the same command with that --quote to finish or repeat it.`,
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
    await expect(importInto(todos, ledger, file, "auto")).rejects.toBeInstanceOf(QuoteChangedError);
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
  const givenTmpdir = process.env.TMPDIR;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), "anycloud-import-stdin-"));
    process.env.TMPDIR = tmp;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    if (givenTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = givenTmpdir;
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
        "standard input (the same bytes) was imported before with another --quote, and its todos are as that run read them: run the same command with that --quote to finish or repeat it.",
    });
  });
});
