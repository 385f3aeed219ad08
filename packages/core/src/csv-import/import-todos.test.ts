import { Readable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import type { Clock } from "../shared/clock.js";
import { AppError, StoreUnavailableError } from "../shared/errors.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import type { PutManyFailure } from "../todos/ports/todo-repository.js";
import type { Todo } from "../todos/todo.js";
import { ImportInProgressError, ImportKeyReusedError } from "./errors.js";
import type { ImportProgress } from "./import-command.js";
import { deriveTodoId, importIdOf } from "./import-identity.js";
import { ALREADY_IMPORTED_NOTE, ImportTodos, OBJECT_GONE_NOTE } from "./import-todos.js";
import { InMemoryImportLedger } from "./in-memory-import-ledger.js";
import {
  ObjectNotFoundError,
  type ObjectRef,
  type ObjectSource,
  type OpenedObject,
} from "./ports/object-source.js";

const clock: Clock = { now: () => new Date("2024-05-06T07:08:09.000Z") };
const source: ObjectRef = { container: "uploads", key: "todos.csv", version: "v1" };
const csv = "task,name\nWater the plants,Ann\nCall the bank,\n";

/** A body that records how far it was read and whether it was let go of (its iterator returned). */
function trackedBody(text: string, chunkSize = 8) {
  const state = { chunksRead: 0, closed: false };
  async function* chunks() {
    const bytes = Buffer.from(text, "utf8");
    for (let at = 0; at < bytes.length; at += chunkSize) {
      state.chunksRead += 1;
      yield bytes.subarray(at, at + chunkSize);
    }
  }
  const body: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      const iterator = chunks();
      return {
        next: () => iterator.next(),
        return: () => {
          state.closed = true;
          return iterator.return(undefined);
        },
      };
    },
  };
  return { opened: { body } satisfies OpenedObject, state };
}

function recordingLogger() {
  const warnings: string[] = [];
  /** Every line logged but debug's, with its level and fields. */
  const logged: [string, string, Record<string, unknown> | undefined][] = [];
  const logger: Logger = {
    ...silentLogger,
    info: (message, fields) => logged.push(["info", message, fields]),
    warn: (message, fields) => {
      warnings.push(message);
      logged.push(["warn", message, fields]);
    },
    error: (message, fields) => logged.push(["error", message, fields]),
  };
  return { logger, warnings, logged };
}

/** A body that yields `text`, then fails with `error`. */
function failingBody(text: string, error: Error): OpenedObject {
  return {
    body: (async function* () {
      yield Buffer.from(text, "utf8");
      throw error;
    })(),
  };
}

/** An error the caller caused, as the HTTP layer throws for a body broken off (an AppError). */
class BodyBrokenOffError extends AppError {
  readonly code = "REQUEST_ABORTED";
}

describe("ImportTodos", () => {
  it("imports the valid rows with ids derived from the import and the line", async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);

    const report = await importTodos.execute({ source }, { body: trackedBody(csv).opened });

    expect(report).toMatchObject({ status: "COMPLETED", rowsRead: 2, imported: 2, rejected: 0, failed: 0 });
    expect(report.importId).toBe(importIdOf(source));
    const page = await todos.list({ limit: 10 });
    expect(page.items.map(({ task, name, checked, version }) => ({ task, name, checked, version }))).toEqual(
      expect.arrayContaining([
        { task: "Water the plants", name: "Ann", checked: false, version: 1 },
        { task: "Call the bank", name: null, checked: false, version: 1 },
      ]),
    );
    // Each id is the import's and its row's line (the header is line 1).
    expect(Object.fromEntries(page.items.map((todo) => [todo.task, todo.id]))).toEqual({
      "Water the plants": deriveTodoId(report.importId, 2),
      "Call the bank": deriveTodoId(report.importId, 3),
    });
    expect(page.items.every((todo) => todo.createdAt === "2024-05-06T07:08:09.000Z")).toBe(true);
  });

  it("imports the README's sample file: its single quotes found by themselves, and its due date", async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);
    const sample = "task,name,dueDate\n'check plugins','John Doe','11-12-2017'\n";

    await importTodos.execute({ source }, { body: trackedBody(sample).opened });

    const { items } = await todos.list({ limit: 10 });
    expect(items.map(({ task, name, dueDate }) => ({ task, name, dueDate }))).toEqual([
      { task: "check plugins", name: "John Doe", dueDate: "2017-12-11" },
    ]);
  });

  it("logs a finished import with its counts", async () => {
    const { logger, logged } = recordingLogger();
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      logger,
    );

    const report = await importTodos.execute(
      { source },
      { body: trackedBody(`${csv},too,many,fields\n`).opened },
    );

    expect(logged).toEqual([
      [
        "info",
        "The CSV import finished.",
        { importId: report.importId, status: "COMPLETED", rowsRead: 3, imported: 2, rejected: 1, failed: 0 },
      ],
    ]);
  });

  it("reports when it started and finished, by the clock, and how long it took", async () => {
    // The clock moves on at each reading: the report's start is the first, its end the last.
    let reading = 0;
    const readings: Date[] = [];
    const moving: Clock = {
      now: () => {
        const now = new Date(Date.parse("2024-05-06T07:08:09.000Z") + 1_250 * reading++);
        readings.push(now);
        return now;
      },
    };
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      moving,
      silentLogger,
    );

    const report = await importTodos.execute({ source }, { body: trackedBody(csv).opened });

    const finishedAt = readings.at(-1)!.toISOString();
    expect(report).toMatchObject({ startedAt: "2024-05-06T07:08:09.000Z", finishedAt });
    expect(report.durationMs).toBe(Date.parse(finishedAt) - Date.parse("2024-05-06T07:08:09.000Z"));
    expect(report.durationMs).toBeGreaterThan(0);
  });

  it("opens the object through the ObjectSource when no body is given", async () => {
    const open = vi.fn(async (_ref: ObjectRef) => trackedBody(csv).opened);
    const objects: ObjectSource = { open };
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
      objects,
    );

    const report = await importTodos.execute({ source });

    expect(open).toHaveBeenCalledWith(source);
    expect(report.imported).toBe(2);
  });

  it("says clearly that it needs a body or an ObjectSource", async () => {
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
    );

    await expect(importTodos.execute({ source })).rejects.toThrow(
      /neither the object's body nor an ObjectSource/,
    );
  });

  it.each([
    ["a body its sender broke off", failingBody(csv, new BodyBrokenOffError("gone")), "warn"],
    ["a body that failed for another reason", failingBody(csv, new Error("socket reset")), "error"],
  ])("records an import stopped by %s as FAILED, and logs it as %s", async (_case, opened, level) => {
    const errors: string[] = [];
    const { logger, warnings } = recordingLogger();
    const ledger = new InMemoryImportLedger();
    const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, {
      ...logger,
      error: (message) => errors.push(message),
    });

    await expect(importTodos.execute({ source }, { body: opened })).rejects.toThrow();

    expect(await ledger.get(importIdOf(source))).toMatchObject({
      status: "FAILED",
      report: { note: "The import stopped before the end of the file." },
    });
    const logged = level === "warn" ? warnings : errors;
    expect(logged).toEqual([expect.stringMatching(/stopped by its caller|failed/)]);
    expect(level === "warn" ? errors : warnings).toEqual([]);
  });

  it("records a store's failure with what the store said in the note, and logs it as a failure", async () => {
    const { logger, logged } = recordingLogger();
    const todos = new InMemoryTodoRepository();
    const failure = new StoreUnavailableError("The todo store did not answer.");
    todos.putMany = () => Promise.reject(failure);
    const ledger = new InMemoryImportLedger();
    const importTodos = new ImportTodos(todos, ledger, clock, logger);

    await expect(importTodos.execute({ source }, { body: trackedBody(csv).opened })).rejects.toBe(failure);

    expect(await ledger.get(importIdOf(source))).toMatchObject({
      status: "FAILED",
      report: {
        note: "The import stopped before the end of the file. The todo store did not answer. Run it again to finish it.",
      },
    });
    expect(logged).toEqual([
      ["error", "The CSV import failed.", { importId: importIdOf(source), attempt: 1, error: failure }],
    ]);
  });

  it("throws why the import stopped, and logs it, when the ledger cannot record the failure", async () => {
    const { logger, logged } = recordingLogger();
    const ledger = new InMemoryImportLedger();
    const ledgerDown = new StoreUnavailableError("The ledger did not answer.");
    vi.spyOn(ledger, "finish").mockRejectedValue(ledgerDown);
    const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, logger);

    await expect(
      importTodos.execute({ source }, { body: failingBody(csv, new Error("socket reset")) }),
    ).rejects.toThrow("socket reset");

    expect(logged).toContainEqual([
      "error",
      "The import's failure could not be recorded.",
      { importId: importIdOf(source), error: ledgerDown },
    ]);
  });

  it("warns when the ledger did not record its report, another worker having taken the import over", async () => {
    const { logger, logged } = recordingLogger();
    const ledger = new InMemoryImportLedger();
    vi.spyOn(ledger, "finish").mockResolvedValue(false);
    const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, logger);

    const report = await importTodos.execute({ source }, { body: trackedBody(csv).opened });

    expect(report).toMatchObject({ status: "COMPLETED", imported: 2 });
    expect(logged.filter(([level]) => level === "warn")).toEqual([
      [
        "warn",
        "Another worker took the import over: this attempt's report was not recorded.",
        { importId: importIdOf(source), attempt: 1 },
      ],
    ]);
  });

  describe("with a fingerprint (an upload's Idempotency-Key)", () => {
    const keyed = (fingerprint?: string): ObjectRef => ({
      container: "upload",
      key: "key-1",
      version: "key-1",
      ...(fingerprint && { fingerprint }),
    });

    it("refuses another body when a concurrent request claimed the key after it looked", async () => {
      const ledger = new InMemoryImportLedger();
      const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, silentLogger);
      await ledger.claim({
        importId: importIdOf(keyed()),
        source: keyed("sha256:first"),
        now: "2024-05-06T07:08:09.000Z",
        leaseExpiresAt: "2024-05-06T07:09:09.000Z",
      });
      // The other request's claim lands between this one's look and its claim.
      vi.spyOn(ledger, "get").mockResolvedValue(undefined);

      await expect(
        importTodos.execute({ source: keyed("sha256:other") }, { body: trackedBody(csv).opened }),
      ).rejects.toBeInstanceOf(ImportKeyReusedError);
    });

    it("answers a key recorded before fingerprints were kept from the ledger, as the same body", async () => {
      const ledger = new InMemoryImportLedger();
      const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, silentLogger);
      const first = await importTodos.execute({ source: keyed() }, { body: trackedBody(csv).opened });

      const again = await importTodos.execute(
        { source: keyed("sha256:now-known") },
        { body: trackedBody(csv).opened },
      );

      expect(again).toMatchObject({ importId: first.importId, note: ALREADY_IMPORTED_NOTE });
    });

    it("answers a request without a fingerprint from the ledger when the key was recorded with one", async () => {
      const ledger = new InMemoryImportLedger();
      const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, silentLogger);
      const first = await importTodos.execute(
        { source: keyed("sha256:first") },
        { body: trackedBody(csv).opened },
      );

      const again = await importTodos.execute({ source: keyed() }, { body: trackedBody(csv).opened });

      expect(again).toMatchObject({ importId: first.importId, note: ALREADY_IMPORTED_NOTE });
    });
  });

  it("records an object gone since its event as FAILED with a note saying so, warns, and rethrows", async () => {
    const errors: string[] = [];
    const { logger, warnings, logged } = recordingLogger();
    const ledger = new InMemoryImportLedger();
    const objects: ObjectSource = {
      open: async (ref) => {
        throw new ObjectNotFoundError(ref);
      },
    };
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      ledger,
      clock,
      { ...logger, error: (message) => errors.push(message) },
      objects,
    );

    await expect(importTodos.execute({ source })).rejects.toBeInstanceOf(ObjectNotFoundError);

    expect(await ledger.get(importIdOf(source))).toMatchObject({
      status: "FAILED",
      report: { status: "FAILED", rowsRead: 0, imported: 0, note: OBJECT_GONE_NOTE },
    });
    expect(OBJECT_GONE_NOTE).toMatch(/^The object is gone: .* Nothing was imported\.$/);
    expect(warnings).toEqual([expect.stringMatching(/gone/)]);
    expect(logged).toContainEqual([
      "warn",
      "The object is gone: nothing was imported.",
      { importId: importIdOf(source), attempt: 1 },
    ]);
    expect(errors).toEqual([]);
  });

  it("names the import after the version the store served when the ref has none, and does not warn", async () => {
    const { logger, warnings } = recordingLogger();
    const { version: _version, ...unversioned } = source;
    const objects: ObjectSource = { open: async () => ({ ...trackedBody(csv).opened, version: "v1" }) };
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      logger,
      objects,
    );

    const report = await importTodos.execute({ source: unversioned });

    expect(report.importId).toBe(importIdOf(source));
    expect(report.source).toEqual(source);
    expect(warnings).toEqual([]);
  });

  it("warns that an object without any version cannot be recognised again", async () => {
    const { logger, warnings, logged } = recordingLogger();
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      logger,
    );
    const unversioned = { container: "uploads", key: "todos.csv" };

    const first = await importTodos.execute({ source: unversioned }, { body: trackedBody(csv).opened });
    const second = await importTodos.execute({ source: unversioned }, { body: trackedBody(csv).opened });

    expect(first.importId).not.toBe(second.importId);
    expect(first.source).toEqual(unversioned);
    expect(warnings).toHaveLength(2);
    expect(logged.filter(([level]) => level === "warn")[0]).toEqual([
      "warn",
      "The object has no version: a repeated import will import its rows again.",
      { importId: first.importId, container: "uploads", key: "todos.csv" },
    ]);
  });

  it("answers a repeated import from the ledger without reading the body, and closes it", async () => {
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
    );
    const first = await importTodos.execute({ source }, { body: trackedBody(csv).opened });
    const { opened, state } = trackedBody(csv);

    const second = await importTodos.execute({ source }, { body: opened });

    expect(second).toEqual({ ...first, note: ALREADY_IMPORTED_NOTE });
    expect(second.note).toMatch(/^Already imported/);
    expect(state.chunksRead).toBe(0);
    expect(state.closed).toBe(true);
  });

  it.each([
    ["no task column", "name,dueDate\nAnn,2024-01-01\n", /"task" column/],
    ["a column named twice", "task,Task\nx,y\n", /twice/],
    ["UTF-16 text", "\uFEFFtask\nx\n", /UTF-16/],
  ])(
    "marks a file with %s as headerRejected, warns, and says so again from the ledger",
    async (_, text, why) => {
      const { logger, warnings, logged } = recordingLogger();
      const todos = new InMemoryTodoRepository();
      const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, logger);
      const bytes = why.source === "UTF-16" ? Buffer.from(text, "utf16le") : Buffer.from(text, "utf8");
      const body = async function* () {
        yield bytes;
      };

      const report = await importTodos.execute({ source }, { body: { body: body() } });
      const again = await importTodos.execute({ source }, { body: { body: body() } });

      expect(report).toMatchObject({
        status: "COMPLETED",
        headerRejected: true,
        rowsRead: 0,
        imported: 0,
        note: "The header is not usable: no rows were read.",
      });
      expect(report.errors).toEqual([{ line: 1, reason: expect.stringMatching(why) }]);
      expect(warnings).toEqual(["The CSV file's header is not usable: no rows were read."]);
      expect(logged).toContainEqual([
        "warn",
        "The CSV file's header is not usable: no rows were read.",
        { importId: report.importId, reason: report.errors[0]!.reason },
      ]);
      expect(again).toMatchObject({ headerRejected: true, note: ALREADY_IMPORTED_NOTE });
      expect((await todos.list({ limit: 10 })).items).toEqual([]);
    },
  );

  it.each([
    ["an empty file", "", "The file is empty."],
    ["a header and no rows", "task,name\n", "The file has a header but no rows."],
    ["rows", csv, undefined],
  ])("does not mark %s as headerRejected, and notes what the file held", async (_, text, note) => {
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
    );

    const report = await importTodos.execute({ source }, { body: trackedBody(text).opened });

    expect(report.status).toBe("COMPLETED");
    expect(report).not.toHaveProperty("headerRejected");
    expect(report.note).toBe(note);
  });

  it("imports every row of a file that ends with CRs, each under its own line (none overwrites another)", async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);

    const report = await importTodos.execute(
      { source },
      { body: trackedBody("task,note\nfirst,x\nsecond,a\rb\r").opened },
    );

    expect(report).toMatchObject({ status: "COMPLETED", rowsRead: 2, imported: 2 });
    const { items } = await todos.list({ limit: 10 });
    expect(items.map((todo) => [todo.task, todo.id])).toEqual([
      ["first", deriveTodoId(report.importId, 2)],
      ["second", deriveTodoId(report.importId, 3)],
    ]);
  });

  it("destroys a Node stream it answers from the ledger without reading (an object store's response), freeing its socket", async () => {
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
    );
    await importTodos.execute({ source }, { body: trackedBody(csv).opened });
    // Returning a Node stream's iterator before its first read ends the iterator, not the stream.
    const stream = Readable.from([Buffer.from(csv, "utf8")]);

    const second = await importTodos.execute({ source }, { body: { body: stream } });

    expect(second.note).toBe(ALREADY_IMPORTED_NOTE);
    expect(stream.destroyed).toBe(true);
  });

  it("refuses an import another worker is running, with IMPORT_IN_PROGRESS", async () => {
    const ledger = new InMemoryImportLedger();
    await ledger.claim({
      importId: importIdOf(source),
      source,
      now: "2024-05-06T07:00:00.000Z",
      leaseExpiresAt: "2024-05-06T07:15:00.000Z",
    });
    const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, silentLogger);
    const { opened, state } = trackedBody(csv);

    const attempt = importTodos.execute({ source }, { body: opened });

    await expect(attempt).rejects.toBeInstanceOf(ImportInProgressError);
    await expect(attempt).rejects.toMatchObject({ code: "IMPORT_IN_PROGRESS", importId: importIdOf(source) });
    expect(state.closed).toBe(true);
  });

  it("claims with a lease of leaseMs from now", async () => {
    const ledger = new InMemoryImportLedger();
    const claim = vi.spyOn(ledger, "claim");
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      ledger,
      clock,
      silentLogger,
      undefined,
      {
        leaseMs: 60_000,
      },
    );

    await importTodos.execute({ source }, { body: trackedBody(csv).opened });

    expect(claim).toHaveBeenCalledWith({
      importId: importIdOf(source),
      source,
      now: "2024-05-06T07:08:09.000Z",
      leaseExpiresAt: "2024-05-06T07:09:09.000Z",
    });
  });

  it("reports progress after each batch, ending with the whole file", async () => {
    const todos = new InMemoryTodoRepository();
    Object.defineProperty(todos, "preferredBatchSize", { value: 2 });
    const rows = Array.from({ length: 5 }, (_, i) => `task ${i}`).join("\n");
    const text = `task\n${rows}\n`;
    const progress: ImportProgress[] = [];
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);

    await importTodos.execute(
      { source },
      { body: { ...trackedBody(text).opened, size: text.length }, onProgress: (p) => progress.push(p) },
    );

    expect(progress.map((p) => p.imported)).toEqual([2, 4, 5]);
    expect(progress.at(-1)).toEqual({
      rowsRead: 5,
      imported: 5,
      rejected: 0,
      bytesRead: text.length,
      totalBytes: text.length,
    });
  });

  it.each([
    ["ends with a row it did not write", "task,name\na,\nb,\nc,\nd,\n,no task\n", [2, 4, 5]],
    ["ends with the batch it reported", "task,name\na,\nb,\nc,\nd,\n", [2, 4]],
  ])(
    "reports progress at the end of a file that %s only when there is more to say",
    async (_, text, reads) => {
      const todos = Object.assign(new InMemoryTodoRepository(), { preferredBatchSize: 2 });
      const progress: ImportProgress[] = [];
      const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);

      await importTodos.execute(
        { source },
        { body: trackedBody(text).opened, onProgress: (p) => progress.push(p) },
      );

      expect(progress.map((p) => p.rowsRead)).toEqual(reads);
    },
  );

  it("reports progress every 1000 rows read, even when none of them is written", async () => {
    const progress: ImportProgress[] = [];
    // Rows that are all refused (no task), in one chunk, which the import takes 1000 rows at a time: the
    // progress comes from reading alone.
    const body = (async function* () {
      yield Buffer.from(`task,name\n${",x\n".repeat(2500)}`);
    })();
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
    );

    const report = await importTodos.execute(
      { source },
      { body: { body }, onProgress: (p) => progress.push(p) },
    );

    expect(report).toMatchObject({ rowsRead: 2500, rejected: 2500 });
    const reads = progress.map((p) => p.rowsRead);
    expect(reads.at(-1)).toBe(2500);
    // Before the last (the end of the file), at least one report, each 1000 rows or more after the one before.
    const before = reads.slice(0, -1);
    expect(before.length).toBeGreaterThan(0);
    before.forEach((rowsRead, index) => {
      expect(rowsRead - (before[index - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
    });
  });

  it("reports progress once the 1000th row since the last report is read, not only after it", async () => {
    const progress: ImportProgress[] = [];
    // Refused rows (no task): the header and 999 rows in one chunk, then the 1000th row alone, then one more.
    const body = (async function* () {
      yield Buffer.from(`task,name\n${",x\n".repeat(999)}`);
      await new Promise((resolve) => setImmediate(resolve));
      yield Buffer.from(",x\n");
      await new Promise((resolve) => setImmediate(resolve));
      yield Buffer.from(",x\n");
    })();
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
    );

    await importTodos.execute({ source }, { body: { body }, onProgress: (p) => progress.push(p) });

    expect(progress.map((p) => p.rowsRead)).toEqual([1000, 1001]);
  });

  it("lets the event loop run between batches, even with a store that answers at once and a body in memory", async () => {
    const todos = new InMemoryTodoRepository();
    // One chunk of 2,000 rows: four batches, none of whose awaits waits on I/O.
    const rows = Array.from({ length: 2000 }, (_, index) => `Task ${index}`).join("\n");
    const body = {
      body: (async function* () {
        yield Buffer.from(`task\n${rows}\n`);
      })(),
    };
    // Counts the event loop's turns: runs once in each, as long as the loop turns.
    let turns = 0;
    let ticker = setImmediate(function tick() {
      turns += 1;
      ticker = setImmediate(tick);
    });
    const turnsAtEachBatch: number[] = [];
    const putMany = todos.putMany.bind(todos);
    todos.putMany = async (batch) => {
      turnsAtEachBatch.push(turns);
      return putMany(batch);
    };
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);

    const report = await importTodos.execute({ source }, { body }).finally(() => clearImmediate(ticker));

    expect(report).toMatchObject({ status: "COMPLETED", imported: 2000 });
    expect(turnsAtEachBatch).toHaveLength(4);
    // The loop turned between each batch and the next, while the import ran: not only where the reading
    // pipeline happens to cut the chunk (the loop turns after each piece read too), which is no batch's doing.
    for (let index = 1; index < turnsAtEachBatch.length; index++) {
      expect(turnsAtEachBatch[index], `batch ${index + 1}`).toBeGreaterThan(turnsAtEachBatch[index - 1]!);
    }
  });

  it("lets the event loop run while it reads a file that writes nothing, chunk after chunk", async () => {
    // Forty chunks of rows that are all refused (two fields under a one-column header): no batch is written, so
    // only the reading can let the loop turn.
    const chunk = Buffer.from(
      Array.from({ length: 100 }, (_, index) => `Task ${index},extra`).join("\n") + "\n",
    );
    const body = {
      body: (async function* () {
        yield Buffer.from("task\n");
        for (let index = 0; index < 40; index++) yield chunk;
      })(),
    };
    let turns = 0;
    let ticker = setImmediate(function tick() {
      turns += 1;
      ticker = setImmediate(tick);
    });
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
    );

    const report = await importTodos.execute({ source }, { body }).finally(() => clearImmediate(ticker));

    expect(report).toMatchObject({ status: "COMPLETED", rowsRead: 4000, rejected: 4000 });
    // About once a chunk: a long file of refused rows does not hold every other request up while it is read.
    expect(turns).toBeGreaterThanOrEqual(40);
  });

  it("has a first attempt overwrite what it finds, and only a later one keep what exists", async () => {
    // Batches of one; the store fails at the second, once: the first attempt FAILED, and the second goes on.
    const todos = Object.assign(new InMemoryTodoRepository(), { preferredBatchSize: 1 });
    const putMany = todos.putMany.bind(todos);
    const seen: (boolean | undefined)[] = [];
    todos.putMany = (batch, options) => {
      seen.push(options?.keepExisting);
      return seen.length === 2 ? Promise.reject(new Error("store unavailable")) : putMany(batch, options);
    };
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);
    const rows = "task\nfirst\nsecond\n";
    await expect(importTodos.execute({ source }, { body: trackedBody(rows).opened })).rejects.toThrow();

    await importTodos.execute({ source }, { body: trackedBody(rows).opened });

    expect(seen).toEqual([undefined, undefined, true]);
  });

  it("leaves what an earlier attempt wrote, and was edited since, as it is when the import is run again", async () => {
    // Batches of one; the store fails at the third, once: the first attempt wrote two rows, and FAILED.
    const todos = Object.assign(new InMemoryTodoRepository(), { preferredBatchSize: 1 });
    const putMany = todos.putMany.bind(todos);
    let calls = 0;
    todos.putMany = (batch, options) => {
      calls += 1;
      return calls === 3 ? Promise.reject(new Error("store unavailable")) : putMany(batch, options);
    };
    const ledger = new InMemoryImportLedger();
    const importTodos = new ImportTodos(todos, ledger, clock, silentLogger);
    const rows = "task\nfirst\nsecond\nthird\n";
    await expect(importTodos.execute({ source }, { body: trackedBody(rows).opened })).rejects.toThrow();
    const [written] = (await todos.list({ limit: 10 })).items.filter((todo) => todo.task === "first");
    await todos.update({ ...written!, task: "first, edited", version: 2 }, 1);

    const report = await importTodos.execute({ source }, { body: trackedBody(rows).opened });

    expect(report).toMatchObject({ status: "COMPLETED", imported: 3 });
    expect(await todos.get(written!.id)).toMatchObject({ task: "first, edited", version: 2 });
    expect((await todos.list({ limit: 10 })).items.map((todo) => todo.task).sort()).toEqual([
      "first, edited",
      "second",
      "third",
    ]);
  });

  describe("taken over after an attempt that stopped part-way (a Lambda's time limit)", () => {
    /** Batches of 10, each row sent counted by its line; `onBatch` runs before each write (1st, 2nd...). */
    function countingStore(onBatch: (batch: number, todos: readonly Todo[]) => PutManyFailure[] | undefined) {
      const todos = Object.assign(new InMemoryTodoRepository(), { preferredBatchSize: 10 });
      const putMany = todos.putMany.bind(todos);
      const sent: number[] = [];
      let batches = 0;
      todos.putMany = async (batch, options) => {
        batches += 1;
        sent.push(...batch.map((todo) => Number.parseInt(todo.id.slice(-12), 16)));
        const failed = onBatch(batches, batch);
        if (failed) {
          const refused = new Set(failed.map(({ id }) => id));
          await putMany(
            batch.filter((todo) => !refused.has(todo.id)),
            options,
          );
          return { failed };
        }
        return putMany(batch, options);
      };
      return { todos, sent };
    }
    const rows = `task\n${Array.from({ length: 100 }, (_, index) => `Task ${index + 1}`).join("\n")}\n`;

    it("goes on after the last batch the stopped attempt wrote, sending none of the rows before it again", async () => {
      const controller = new AbortController();
      const { todos, sent } = countingStore((batch) => {
        if (batch === 3) controller.abort(new Error("time limit"));
        return undefined;
      });
      const ledger = new InMemoryImportLedger();
      const importTodos = new ImportTodos(todos, ledger, clock, silentLogger);
      await expect(
        importTodos.execute({ source }, { body: trackedBody(rows).opened, signal: controller.signal }),
      ).rejects.toThrow("time limit");
      // Three batches written: the rows on lines 2 to 31.
      expect(await ledger.get(importIdOf(source))).toMatchObject({ status: "FAILED", writtenThrough: 31 });
      sent.length = 0;

      const report = await importTodos.execute({ source }, { body: trackedBody(rows).opened });

      expect(report).toMatchObject({ status: "COMPLETED", rowsRead: 100, imported: 100, failed: 0 });
      expect(sent).toEqual(Array.from({ length: 70 }, (_, index) => 32 + index));
      expect((await todos.list({ limit: 200 })).items).toHaveLength(100);
    });

    it("moves the checkpoint no further than the first batch with a row the store did not write", async () => {
      // The second batch (lines 12-21) has its row on line 15 refused; every other row is written.
      const { todos, sent } = countingStore((batch, todos) =>
        batch === 2 ? [{ id: todos[3]!.id, reason: "throttled" }] : undefined,
      );
      const ledger = new InMemoryImportLedger();
      const importTodos = new ImportTodos(todos, ledger, clock, silentLogger);
      const first = await importTodos.execute({ source }, { body: trackedBody(rows).opened });
      expect(first).toMatchObject({ status: "FAILED", imported: 99, failed: 1 });
      expect(await ledger.get(importIdOf(source))).toMatchObject({ status: "FAILED", writtenThrough: 11 });
      sent.length = 0;

      const report = await importTodos.execute({ source }, { body: trackedBody(rows).opened });

      expect(report).toMatchObject({ status: "COMPLETED", imported: 100, failed: 0 });
      expect(sent).toEqual(Array.from({ length: 90 }, (_, index) => 12 + index));
      expect((await todos.list({ limit: 200 })).items).toHaveLength(100);
    });

    it("leaves a todo after the checkpoint that was edited since as it is, and writes one deleted since again", async () => {
      const { todos } = countingStore((batch, todos) =>
        batch === 2 ? [{ id: todos[3]!.id, reason: "throttled" }] : undefined,
      );
      const ledger = new InMemoryImportLedger();
      const importTodos = new ImportTodos(todos, ledger, clock, silentLogger);
      const first = await importTodos.execute({ source }, { body: trackedBody(rows).opened });
      const edited = (await todos.get(deriveTodoId(first.importId, 50)))!;
      await todos.update({ ...edited, task: "Task 49, edited", version: 2 }, 1);
      await todos.delete(deriveTodoId(first.importId, 60));

      await importTodos.execute({ source }, { body: trackedBody(rows).opened });

      expect(await todos.get(edited.id)).toMatchObject({ task: "Task 49, edited", version: 2 });
      expect(await todos.get(deriveTodoId(first.importId, 60))).toMatchObject({
        task: "Task 59",
        version: 1,
      });
    });
  });

  it("stops when aborted: records the import FAILED and throws the abort reason", async () => {
    const ledger = new InMemoryImportLedger();
    const controller = new AbortController();
    async function* endless() {
      yield Buffer.from("task\n");
      for (let i = 0; ; i++) {
        if (i === 100) controller.abort(new Error("stop"));
        yield Buffer.from(`task ${i}\n`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, silentLogger);

    await expect(
      importTodos.execute({ source }, { body: { body: endless() }, signal: controller.signal }),
    ).rejects.toThrow("stop");

    expect(await ledger.get(importIdOf(source))).toMatchObject({
      status: "FAILED",
      report: { status: "FAILED" },
    });
  });

  it("logs a stop that comes while it waits for the body with the signal's reason, not the parser's AbortError", async () => {
    const controller = new AbortController();
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const logger: Logger = { ...silentLogger, warn: (message, fields) => warnings.push([message, fields]) };
    async function* slowBody() {
      yield Buffer.from("task\nfirst\n");
      controller.abort(new Error("stopped by the shutdown"));
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield Buffer.from("second\n");
    }
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      logger,
    );

    await expect(
      importTodos.execute({ source }, { body: { body: slowBody() }, signal: controller.signal }),
    ).rejects.toThrow("stopped by the shutdown");

    expect(warnings).toContainEqual([
      "The CSV import was stopped by its caller.",
      expect.objectContaining({ reason: "stopped by the shutdown" }),
    ]);
  });

  it("destroys a stream body that stalls once stopped, rather than wait for its next chunk", async () => {
    const ledger = new InMemoryImportLedger();
    const controller = new AbortController();
    let reads = 0;
    // An object store's response that sends its first lines, then nothing (a stalled S3 body): the stop comes
    // while the import waits for more.
    const body = new Readable({
      read() {
        reads += 1;
        if (reads === 1) this.push("task\nfirst\n");
        else controller.abort(new Error("time limit"));
      },
    });
    const importTodos = new ImportTodos(new InMemoryTodoRepository(), ledger, clock, silentLogger);

    await expect(
      importTodos.execute({ source }, { body: { body }, signal: controller.signal }),
    ).rejects.toThrow("time limit");

    expect(body.destroyed).toBe(true);
    expect(await ledger.get(importIdOf(source))).toMatchObject({ status: "FAILED" });
  });

  it("destroys a stream body opened as the stop came, which it never reads", async () => {
    const controller = new AbortController();
    const body = Readable.from([Buffer.from(csv)]);
    const objects: ObjectSource = {
      open: async () => {
        controller.abort(new Error("time limit")); // while the store answered
        return { body };
      },
    };
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
      objects,
    );

    await expect(importTodos.execute({ source }, { signal: controller.signal })).rejects.toThrow(
      "time limit",
    );

    expect(body.destroyed).toBe(true);
  });

  it("stops between batches when aborted, even inside one chunk that holds every row", async () => {
    const ledger = new InMemoryImportLedger();
    const controller = new AbortController();
    const todos = new InMemoryTodoRepository();
    const putMany = todos.putMany.bind(todos);
    let written = 0;
    todos.putMany = async (batch, options) => {
      controller.abort(new Error("stop")); // during the first batch's write
      written += batch.length;
      return putMany(batch, options);
    };
    const rows = Array.from({ length: 2000 }, (_, index) => `Task ${index}`).join("\n");
    const body = (async function* () {
      yield Buffer.from(`task\n${rows}\n`);
    })();
    const importTodos = new ImportTodos(todos, ledger, clock, silentLogger);

    await expect(
      importTodos.execute({ source }, { body: { body }, signal: controller.signal }),
    ).rejects.toThrow("stop");

    // The first batch, and no other: the rows of the chunk after it were not written.
    expect(written).toBe(todos.preferredBatchSize);
    expect(await ledger.get(importIdOf(source))).toMatchObject({ status: "FAILED" });
  });

  it("lists at most maxErrors errors, the first ones by line", async () => {
    const text = `task,dueDate\n${Array.from({ length: 10 }, (_, i) => `t${i},not a date`).join("\n")}\n`;
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
      undefined,
      {
        maxErrors: 3,
      },
    );

    const report = await importTodos.execute({ source }, { body: trackedBody(text).opened });

    expect(report).toMatchObject({ rejected: 10, errorsTruncated: true });
    expect(report.errors.map((error) => error.line)).toEqual([2, 3, 4]);
  });
});
