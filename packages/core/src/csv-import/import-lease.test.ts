import { afterEach, describe, expect, it, vi } from "vitest";
import type { Clock } from "../shared/clock.js";
import { StoreUnavailableError } from "../shared/errors.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import type { PutManyResult } from "../todos/ports/todo-repository.js";
import type { Todo } from "../todos/todo.js";
import { ImportInProgressError, ImportLeaseLostError } from "./errors.js";
import { deriveTodoId, importIdOf } from "./import-identity.js";
import { ImportLease } from "./import-lease.js";
import { ImportTodos } from "./import-todos.js";
import { InMemoryImportLedger } from "./in-memory-import-ledger.js";
import type { ObjectRef, OpenedObject } from "./ports/object-source.js";

const source: ObjectRef = { container: "uploads", key: "long list.csv", version: "v1" };
const importId = importIdOf(source);
const START = Date.parse("2024-05-06T07:00:00.000Z");
const LEASE_MS = 60_000;

/** A clock that moves only when told to. */
function manualClock() {
  let now = START;
  const clock: Clock = { now: () => new Date(now) };
  return {
    clock,
    advance: (ms: number) => {
      now += ms;
    },
    /** The instant `seconds` after the start. */
    at: (seconds: number) => new Date(START + seconds * 1000).toISOString(),
  };
}

/** Writes batches of 10; `beforeWrite` runs first for each (the 1st, 2nd, ...), e.g. to let time pass. */
class ScriptedTodoRepository extends InMemoryTodoRepository {
  override readonly preferredBatchSize = 10;
  batches = 0;

  constructor(private readonly beforeWrite: (batch: number) => Promise<void> | void) {
    super();
  }

  override async putMany(todos: readonly Todo[]): Promise<PutManyResult> {
    this.batches += 1;
    await this.beforeWrite(this.batches);
    return super.putMany(todos);
  }
}

/** A CSV of `rows` todos in chunks of 64 bytes, recording how many chunks were read and whether it was let go of. */
function csvBody(rows: number) {
  const bytes = Buffer.from(`task\n${Array.from({ length: rows }, (_, i) => `task ${i}`).join("\n")}\n`);
  const state = { chunks: Math.ceil(bytes.length / 64), chunksRead: 0, closed: false };
  async function* chunks() {
    try {
      for (let at = 0; at < bytes.length; at += 64) {
        state.chunksRead += 1;
        yield bytes.subarray(at, at + 64);
      }
    } finally {
      state.closed = true;
    }
  }
  return { opened: { body: chunks() } satisfies OpenedObject, state };
}

describe("ImportTodos's lease", () => {
  it("renews the lease to now + leaseMs once a third of it has passed, checked after each batch", async () => {
    const { clock, advance, at } = manualClock();
    const todos = new ScriptedTodoRepository(() => advance(7_000));
    const ledger = new InMemoryImportLedger();
    const renew = vi.spyOn(ledger, "renew");
    const importTodos = new ImportTodos(todos, ledger, clock, silentLogger, undefined, { leaseMs: LEASE_MS });

    const report = await importTodos.execute({ source }, { body: csvBody(200).opened });

    // 20 batches of 7 s each; a renewal is due 20 s after the one before, at the next batch's end. Each records
    // the line of the last row written (3 batches of 10 rows after the header on line 1: line 31).
    expect(report).toMatchObject({ status: "COMPLETED", imported: 200 });
    expect(renew.mock.calls).toEqual(
      [21, 42, 63, 84, 105, 126].map((seconds) => [
        importId,
        1,
        at(seconds + LEASE_MS / 1000),
        1 + (seconds / 7) * 10,
      ]),
    );
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", leaseExpiresAt: at(186) });
  });

  it("keeps the lease while it reads rows it rejects, writing nothing, so a redelivery cannot take over", async () => {
    const { clock, advance } = manualClock();
    const ledger = new InMemoryImportLedger();
    const renew = vi.spyOn(ledger, "renew");
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      ledger,
      clock,
      silentLogger,
      undefined,
      {
        leaseMs: LEASE_MS,
      },
    );
    // 2,000 rows without a task, arriving 1 KiB every 5 s: 80 s of reading, and not one batch to write.
    const bytes = Buffer.from(`task,name\n${",nobody\n".repeat(2_000)}`);
    let redelivery: unknown;
    async function* slowSource() {
      for (let at = 0; at < bytes.length; at += 1024) {
        // A real pause as well, so that the reader has taken in each chunk before the clock moves on.
        await new Promise((resolve) => setTimeout(resolve, 20));
        advance(5_000);
        // 75 s in, past the first lease: the same import arrives again.
        if (at === 14 * 1024) {
          redelivery = await importTodos
            .execute({ source }, { body: { body: csvBody(1).opened.body } })
            .catch((error: unknown) => error);
        }
        yield bytes.subarray(at, at + 1024);
      }
    }

    const report = await importTodos.execute({ source }, { body: { body: slowSource() } });

    expect(report).toMatchObject({ status: "COMPLETED", imported: 0, rejected: 2_000 });
    expect(renew).toHaveBeenCalled();
    expect(redelivery).toBeInstanceOf(ImportInProgressError);
  });

  it("does not renew an import that ends within a third of its lease", async () => {
    const { clock, advance } = manualClock();
    const ledger = new InMemoryImportLedger();
    const renew = vi.spyOn(ledger, "renew");
    const importTodos = new ImportTodos(
      new ScriptedTodoRepository(() => advance(1_000)),
      ledger,
      clock,
      silentLogger,
      undefined,
      { leaseMs: LEASE_MS },
    );

    await importTodos.execute({ source }, { body: csvBody(100).opened });

    expect(renew).not.toHaveBeenCalled();
  });

  /** An import whose third write stalls past the lease, while a retry takes it over; its warnings are kept. */
  function takenOverAtTheThirdWrite() {
    const { clock, advance, at } = manualClock();
    const ledger = new InMemoryImportLedger();
    const todos = new ScriptedTodoRepository(async (batch) => {
      if (batch !== 3) return;
      advance(LEASE_MS + 30_000);
      await ledger.claim({ importId, source, now: at(90), leaseExpiresAt: at(150) });
    });
    const finish = vi.spyOn(ledger, "finish");
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const logger: Logger = { ...silentLogger, warn: (message, fields) => warnings.push([message, fields]) };
    const importTodos = new ImportTodos(todos, ledger, clock, logger, undefined, { leaseMs: LEASE_MS });
    return { importTodos, ledger, todos, finish, warnings, at };
  }

  it("renews nothing after the end of the file when no batch was left to write there", async () => {
    const { clock, advance } = manualClock();
    const ledger = new InMemoryImportLedger();
    const renew = vi.spyOn(ledger, "renew");
    const importTodos = new ImportTodos(
      new ScriptedTodoRepository(() => {}),
      ledger,
      clock,
      silentLogger,
      undefined,
      {
        leaseMs: LEASE_MS,
      },
    );
    // One full batch, then a row refused: the end of the file writes nothing, and its progress report takes 30 s.
    const text = `task,name\n${"a task,x\n".repeat(10)},refused\n`;
    const onProgress = (progress: { rowsRead: number }) => {
      if (progress.rowsRead === 11) advance(30_000);
    };

    const report = await importTodos.execute(
      { source },
      { body: { body: once(Buffer.from(text)) }, onProgress },
    );

    expect(report).toMatchObject({ status: "COMPLETED", imported: 10, rejected: 1 });
    expect(renew).not.toHaveBeenCalled();
  });

  it("stops reading, does not finish, and throws IMPORT_LEASE_LOST when another worker took the import over", async () => {
    const { importTodos, ledger, todos, finish, warnings, at } = takenOverAtTheThirdWrite();
    const { opened, state } = csvBody(50_000);

    const run = importTodos.execute({ source }, { body: opened });

    await expect(run).rejects.toBeInstanceOf(ImportLeaseLostError);
    await expect(run).rejects.toMatchObject({ code: "IMPORT_LEASE_LOST", importId, attempt: 1 });
    expect(todos.batches).toBe(3);
    expect(state.closed).toBe(true);
    // About 540 KB: the stream buffers hold some, but reading stops long before the end.
    expect(state.chunksRead).toBeLessThan(state.chunks / 4);
    expect(finish).not.toHaveBeenCalled();
    expect(await ledger.get(importId)).toMatchObject({
      status: "RUNNING",
      attempt: 2,
      leaseExpiresAt: at(150),
    });
    expect(warnings.map(([message]) => message)).toEqual([expect.stringMatching(/took the import over/)]);
  });

  it("throws IMPORT_LEASE_LOST, and records nothing, when the import was taken over while its last batch was written", async () => {
    // 25 rows: batches of 10, 10, and the last 5, written after the file's end; that one stalls past the lease.
    const { importTodos, todos, finish, warnings } = takenOverAtTheThirdWrite();

    const run = importTodos.execute({ source }, { body: csvBody(25).opened });

    await expect(run).rejects.toMatchObject({ code: "IMPORT_LEASE_LOST", importId, attempt: 1 });
    expect(todos.batches).toBe(3);
    expect(finish).not.toHaveBeenCalled();
    expect(warnings).toEqual([
      ["Another worker took the import over: this attempt stopped.", { importId, attempt: 1 }],
    ]);
  });

  it("records an import COMPLETED when the renewal after its last batch fails: every row is written by then", async () => {
    // 25 rows: batches of 10, 10, and the last 5, whose write takes 30 s; the renewal due after it meets a ledger
    // that did not answer, which answers again for the finish.
    const { clock, advance } = manualClock();
    const ledger = new InMemoryImportLedger();
    const todos = new ScriptedTodoRepository((batch) => {
      if (batch === 3) advance(30_000);
    });
    vi.spyOn(ledger, "renew").mockRejectedValueOnce(new StoreUnavailableError("The ledger did not answer."));
    const importTodos = new ImportTodos(todos, ledger, clock, silentLogger, undefined, { leaseMs: LEASE_MS });

    const report = await importTodos.execute({ source }, { body: csvBody(25).opened });

    expect(report).toMatchObject({ status: "COMPLETED", rowsRead: 25, imported: 25, failed: 0 });
    expect(report.note).toBeUndefined();
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", attempt: 1 });
  });

  const FORTY_ROWS = Buffer.from(
    `task\n${Array.from({ length: 40 }, (_, i) => `Row ${i + 1}`).join("\n")}\n`,
  );
  async function* once(bytes: Uint8Array) {
    yield bytes;
  }

  /**
   * Attempt 1 reads the header and rows 1-15, then its read stalls (a slow S3 socket) with rows 11-15 waiting in
   * its batch of 10; `meanwhile` runs during the stall (another worker takes over), then the read resumes.
   */
  async function stallThenResume(attempt1: ImportTodos, meanwhile: () => Promise<void>) {
    const bytes = FORTY_ROWS;
    const cut = bytes.indexOf("Row 16");
    let resume!: () => void;
    const stalled = new Promise<void>((resolve) => {
      resume = resolve;
    });
    let stalling!: () => void;
    const atStall = new Promise<void>((resolve) => {
      stalling = resolve;
    });
    async function* slowBody() {
      yield bytes.subarray(0, cut);
      stalling();
      await stalled;
      yield bytes.subarray(cut);
    }
    const outcome = attempt1
      .execute({ source }, { body: { body: slowBody() } })
      .catch((error: unknown) => error);
    await atStall;
    // Attempt 1 works through what it was given (its reader reads ahead), then waits on the read.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await meanwhile();
    resume();
    return { outcome: await outcome };
  }

  it("checks the lease before it writes: a read stalled past it writes nothing once another worker took over", async () => {
    const { clock, advance } = manualClock();
    const ledger = new InMemoryImportLedger();
    const todos = new ScriptedTodoRepository(() => {});
    const importTodos = new ImportTodos(todos, ledger, clock, silentLogger, undefined, { leaseMs: LEASE_MS });
    const edited = deriveTodoId(importId, 18);
    const deleted = deriveTodoId(importId, 19);

    const { outcome } = await stallThenResume(importTodos, async () => {
      // The read stalls 61 s; a redelivery takes the import over and completes it, then a user edits row 17
      // and deletes row 18, both in the batch attempt 1 holds.
      advance(LEASE_MS + 1_000);
      const report = await importTodos.execute({ source }, { body: { body: once(FORTY_ROWS) } });
      expect(report).toMatchObject({ status: "COMPLETED", imported: 40 });
      await todos.update({ ...(await todos.get(edited))!, task: "Edited by a user", version: 2 }, 1);
      await todos.delete(deleted);
      todos.batches = 0;
      advance(1_000);
    });

    expect(outcome).toBeInstanceOf(ImportLeaseLostError);
    expect(todos.batches).toBe(0);
    expect((await todos.get(edited))?.task).toBe("Edited by a user");
    expect(await todos.get(deleted)).toBeUndefined();
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", attempt: 2 });
  });

  it("checks the lease at once when its wall clock steps back, rather than a third of a lease later", async () => {
    let attempt1Now = START;
    const attempt1Clock: Clock = { now: () => new Date(attempt1Now) };
    const othersClock: Clock = { now: () => new Date(START + LEASE_MS + 1_000) };
    const ledger = new InMemoryImportLedger();
    const todos = new ScriptedTodoRepository(() => {});
    const attempt1 = new ImportTodos(todos, ledger, attempt1Clock, silentLogger, undefined, {
      leaseMs: LEASE_MS,
    });
    const other = new ImportTodos(todos, ledger, othersClock, silentLogger, undefined, { leaseMs: LEASE_MS });
    const edited = deriveTodoId(importId, 31);

    const { outcome } = await stallThenResume(attempt1, async () => {
      // Attempt 1's clock steps back an hour; on everyone else's, 61 s pass, and the import is taken over.
      attempt1Now -= 3_600_000;
      await other.execute({ source }, { body: { body: once(FORTY_ROWS) } });
      await todos.update({ ...(await todos.get(edited))!, task: "Edited by a user", version: 2 }, 1);
      todos.batches = 0;
    });

    expect(outcome).toBeInstanceOf(ImportLeaseLostError);
    expect(todos.batches).toBe(0);
    expect((await todos.get(edited))?.task).toBe("Edited by a user");
  });

  it("never shortens the lease when its wall clock steps back: a live import is not handed to another worker", async () => {
    let attempt1Now = START;
    const attempt1Clock: Clock = { now: () => new Date(attempt1Now) };
    // 5 s after the claim, for everyone else.
    const othersClock: Clock = { now: () => new Date(START + 5_000) };
    const ledger = new InMemoryImportLedger();
    let redelivery: unknown;
    const other = new ImportTodos(
      new InMemoryTodoRepository(),
      ledger,
      othersClock,
      silentLogger,
      undefined,
      {
        leaseMs: LEASE_MS,
      },
    );
    const todos = new ScriptedTodoRepository(async (batch) => {
      // While the 2nd batch is written, the clock steps back an hour (it was an hour fast); at the 3rd (after
      // the renewal the step brings on), the same import arrives again.
      if (batch === 2) attempt1Now -= 3_600_000;
      if (batch === 3) {
        redelivery = await other
          .execute({ source }, { body: { body: once(FORTY_ROWS) } })
          .catch((error: unknown) => error);
      }
    });
    const attempt1 = new ImportTodos(todos, ledger, attempt1Clock, silentLogger, undefined, {
      leaseMs: LEASE_MS,
    });

    const report = await attempt1.execute({ source }, { body: { body: once(FORTY_ROWS) } });

    expect(redelivery).toBeInstanceOf(ImportInProgressError);
    expect(report).toMatchObject({ status: "COMPLETED", imported: 40 });
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", attempt: 1 });
  });

  it("lets a later run take over, once its lease (60 s by default) has passed, an import whose worker crashed", async () => {
    const { clock, advance } = manualClock();
    const ledger = new InMemoryImportLedger();
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, ledger, clock, silentLogger);
    // The crashed worker claimed the import, read the header and never went further.
    async function* frozen() {
      yield Buffer.from("task\n");
      await new Promise(() => {});
    }
    void importTodos.execute({ source }, { body: { body: frozen() } });
    await vi.waitFor(async () => expect(await ledger.get(importId)).toMatchObject({ status: "RUNNING" }));

    advance(59_999);
    const tooSoon = importTodos.execute({ source }, { body: csvBody(30).opened });
    await expect(tooSoon).rejects.toBeInstanceOf(ImportInProgressError);
    advance(1);
    const report = await importTodos.execute({ source }, { body: csvBody(30).opened });

    expect(report).toMatchObject({ status: "COMPLETED", imported: 30 });
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", attempt: 2 });
    expect((await todos.list({ limit: 100 })).items).toHaveLength(30);
  });
});

describe("ImportLease", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A lease claimed at START, with the monotonic clock at `monotonic()` whenever it is read. */
  function leaseAt(wallClock: () => number, monotonic: () => number) {
    vi.spyOn(performance, "now").mockImplementation(monotonic);
    const renew = vi.fn(async () => true);
    const entry = { importId, attempt: 1 };
    const clock: Clock = { now: () => new Date(wallClock()) };
    const lease = new ImportLease({ renew } as never, clock, LEASE_MS, entry as never, new Date(START));
    return { lease, renew };
  }

  it("renews once exactly a third of the lease has passed on the wall clock", async () => {
    let now = START + 19_999;
    const { lease, renew } = leaseAt(
      () => now,
      () => 1_000,
    );

    await lease.keep(5);
    now = START + 20_000;
    await lease.keep(7);

    expect(renew.mock.calls).toEqual([[importId, 1, new Date(START + 80_000).toISOString(), 7]]);
  });

  it("renews once a third of the lease has passed on the monotonic clock, though the wall clock stood still, and moves the expiry on by that time", async () => {
    let monotonic = 1_000;
    const { lease, renew } = leaseAt(
      () => START,
      () => monotonic,
    );

    monotonic += 19_999;
    await lease.keep();
    monotonic += 1;
    await lease.keep();

    // On the wall clock, now + leaseMs would be the expiry already held: it is moved on by the 20 s that passed.
    expect(renew.mock.calls).toEqual([[importId, 1, new Date(START + 80_000).toISOString(), undefined]]);
  });
});
