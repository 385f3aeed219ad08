import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
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
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../config.js";
import type { ServerApp } from "../container.js";
import { InterruptedError, importFile } from "./import-file.js";
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

/** An import ledger that answers the claim, then stops answering: its store went away during the import. */
class LedgerLostMidway extends InMemoryImportLedger {
  override async finish(): Promise<boolean> {
    throw new StoreUnavailableError("The import ledger is unavailable.");
  }
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
    const watch = new LedgerWatch();
    const app = {
      todos,
      importTodos: new ImportTodos(todos, watch.watch(ledger), systemClock, silentLogger),
      close: async () => {},
    } as unknown as ServerApp;
    const command = { name: "import", location: file, quote: "auto", json: false } as const;
    const running = importFile(app, command, readConfig({ TODO_STORE: "memory" }), watch);
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
