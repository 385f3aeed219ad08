import {
  type Clock,
  deriveTodoId,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  importIdOf,
  type ListOptions,
  type PutManyResult,
  StoreUnavailableError,
  silentLogger,
  type Todo,
  type TodoRepository,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";

const T1 = "2024-05-06T07:08:09.000Z";
const T2 = "2024-05-06T08:00:00.000Z";
const source = { container: "uploads", key: "todos.csv", version: "v1" };
const ROWS = 40;
const csv = `task,name\n${Array.from({ length: ROWS }, (_, i) => `Row ${i + 1},Ann`).join("\n")}\n`;
const lineOfRow = (row: number) => row + 1;

/** A clock that can be moved. */
function movableClock(iso: string) {
  let now = new Date(iso);
  const clock: Clock = { now: () => now };
  return { clock, moveTo: (next: string) => (now = new Date(next)) };
}

/** The in-memory store, behind a switch that makes some writes fail (as throttling after retries would). */
class FlakyRepository implements TodoRepository {
  readonly preferredBatchSize = 10;
  readonly store = new InMemoryTodoRepository();
  failIds = new Set<string>();
  throwOnCall: number | undefined;
  private calls = 0;

  create = (todo: Todo) => this.store.create(todo);
  get = (id: string) => this.store.get(id);
  list = (options: ListOptions) => this.store.list(options);
  update = (todo: Todo, expectedVersion: number) => this.store.update(todo, expectedVersion);
  delete = (id: string, expectedVersion?: number) => this.store.delete(id, expectedVersion);

  async putMany(todos: readonly Todo[]): Promise<PutManyResult> {
    this.calls += 1;
    if (this.calls === this.throwOnCall) throw new StoreUnavailableError("The store is down.");
    const failing = todos.filter((todo) => this.failIds.has(todo.id));
    await this.store.putMany(todos.filter((todo) => !this.failIds.has(todo.id)));
    return { failed: failing.map((todo) => ({ id: todo.id, reason: "throttled" })) };
  }
}

async function* chunks(text: string, size = 64) {
  const bytes = Buffer.from(text, "utf8");
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function storedIds(todos: TodoRepository): Promise<string[]> {
  const { items } = await todos.list({ limit: 100 });
  return items.map((todo) => todo.id).sort();
}

const expectedIds = (importId: string) =>
  Array.from({ length: ROWS }, (_, i) => deriveTodoId(importId, lineOfRow(i + 1))).sort();

describe("an import that fails", () => {
  it("is FAILED when the store could not write some rows, says which, and a retry completes it", async () => {
    const todos = new FlakyRepository();
    const ledger = new InMemoryImportLedger();
    const importTodos = new ImportTodos(todos, ledger, movableClock(T1).clock, silentLogger);
    const importId = importIdOf(source);
    todos.failIds = new Set([deriveTodoId(importId, 5), deriveTodoId(importId, 12)]);

    const first = await importTodos.execute({ source }, { body: { body: chunks(csv) } });

    expect(first).toMatchObject({
      status: "FAILED",
      rowsRead: ROWS,
      imported: ROWS - 2,
      rejected: 0,
      failed: 2,
      errors: [
        { line: 5, reason: "not saved: throttled" },
        { line: 12, reason: "not saved: throttled" },
      ],
    });
    expect(await ledger.get(importId)).toMatchObject({ status: "FAILED", attempt: 1 });

    todos.failIds.clear();
    const retry = await importTodos.execute({ source }, { body: { body: chunks(csv) } });

    expect(retry).toMatchObject({ status: "COMPLETED", imported: ROWS, failed: 0, errors: [] });
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", attempt: 2 });
    expect(await storedIds(todos)).toEqual(expectedIds(importId));
  });

  it("is recorded FAILED and rethrown when the store throws, and a retry completes it", async () => {
    const todos = new FlakyRepository();
    todos.throwOnCall = 2;
    const ledger = new InMemoryImportLedger();
    const importTodos = new ImportTodos(todos, ledger, movableClock(T1).clock, silentLogger);

    const failure = await importTodos
      .execute({ source }, { body: { body: chunks(csv) } })
      .catch((error) => error);

    expect(failure).toBeInstanceOf(StoreUnavailableError);
    const entry = await ledger.get(importIdOf(source));
    // The batch the store failed on counts as failed, so the report adds up, and it says which store failed.
    expect(entry).toMatchObject({
      status: "FAILED",
      report: {
        status: "FAILED",
        rowsRead: 20,
        imported: 10,
        rejected: 0,
        failed: 10,
        errors: [
          { line: lineOfRow(11), reason: expect.stringMatching(/^not confirmed saved: the store failed/) },
        ],
        note: expect.stringMatching(/The store is down\. Run it again/),
      },
    });

    const retry = await importTodos.execute({ source }, { body: { body: chunks(csv) } });
    expect(retry).toMatchObject({ status: "COMPLETED", imported: ROWS });
    expect(await storedIds(todos)).toEqual(expectedIds(retry.importId));
  });

  it("is recorded FAILED and rethrown when the stream breaks midway; the retry writes the same todos", async () => {
    const todos = new FlakyRepository();
    const ledger = new InMemoryImportLedger();
    const time = movableClock(T1);
    const importTodos = new ImportTodos(todos, ledger, time.clock, silentLogger);
    const reset = new Error("socket hang up");
    async function* breaksMidway() {
      const bytes = Buffer.from(csv, "utf8");
      yield bytes.subarray(0, 150);
      yield bytes.subarray(150, 300);
      // The connection drops a while later, once what came has been written.
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw reset;
    }

    await expect(importTodos.execute({ source }, { body: { body: breaksMidway() } })).rejects.toBe(reset);

    const importId = importIdOf(source);
    expect(await ledger.get(importId)).toMatchObject({
      status: "FAILED",
      report: { status: "FAILED", note: "The import stopped before the end of the file." },
    });
    const partial = await storedIds(todos);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(ROWS);
    // The rows read but not yet written when it broke count as failed: the report adds up.
    const { report } = (await ledger.get(importId))!;
    expect(report!.imported).toBe(partial.length);
    expect(report!.failed).toBeGreaterThan(0);
    expect(report!.rowsRead).toBe(report!.imported + report!.rejected + report!.failed);
    expect(report!.errors).toEqual([
      {
        line: lineOfRow(partial.length + 1),
        reason: `not saved: the import stopped before the ${report!.failed} rows from this line on were written`,
      },
    ]);

    time.moveTo(T2);
    const retry = await importTodos.execute({ source }, { body: { body: chunks(csv) } });

    expect(retry).toMatchObject({ status: "COMPLETED", imported: ROWS, startedAt: T2 });
    const { items } = await todos.store.list({ limit: 100 });
    expect(items.map((todo) => todo.id).sort()).toEqual(expectedIds(importId));
    // Every attempt stamps the first attempt's start: the retry rewrote the partial rows identically.
    expect(items.every((todo) => todo.createdAt === T1 && todo.updatedAt === T1 && todo.version === 1)).toBe(
      true,
    );

    const clean = new InMemoryTodoRepository();
    await new ImportTodos(clean, new InMemoryImportLedger(), movableClock(T1).clock, silentLogger).execute(
      { source },
      { body: { body: chunks(csv) } },
    );
    expect((await clean.list({ limit: 100 })).items).toEqual(items);
  });
});
