import {
  ALREADY_IMPORTED_NOTE,
  type Clock,
  deriveTodoId,
  type ImportReport,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  silentLogger,
  type Todo,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { slowBody } from "../support/slow-body.js";
import { allTodosIn } from "../support/stored-todos.js";

const clock: Clock = { now: () => new Date("2024-05-06T07:08:09.000Z") };
const source = { container: "uploads", key: "team todos.csv", version: "etag-1" };
const ROWS = 1200;
const csv = `task,name,dueDate\n${Array.from({ length: ROWS }, (_, i) =>
  i % 100 === 99
    ? `Row ${i + 1},Ann,not a date`
    : `Row ${i + 1},Ann,2024-06-${String((i % 28) + 1).padStart(2, "0")}`,
).join("\n")}\n`;
const VALID_ROWS = ROWS - ROWS / 100;

/** The file in chunks of 4 KiB, each after a pause: long enough for concurrent deliveries to overlap. */
const slowly = (text: string) => slowBody(text, 4096);

/** Every stored todo, by id: two listings compare alike whatever order the store lists in. */
async function allTodos(todos: InMemoryTodoRepository): Promise<Todo[]> {
  return (await allTodosIn(todos)).sort((a, b) => a.id.localeCompare(b.id));
}

describe("importing the same object version again", () => {
  it("answers the second run from the ledger: same ids, same count", async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);

    const first = await importTodos.execute({ source }, { body: { body: slowly(csv) } });
    const afterFirst = await allTodos(todos);
    const second = await importTodos.execute({ source }, { body: { body: slowly(csv) } });

    expect(first).toMatchObject({ status: "COMPLETED", rowsRead: ROWS, imported: VALID_ROWS, rejected: 12 });
    expect(second).toEqual({ ...first, note: ALREADY_IMPORTED_NOTE });
    expect(await allTodos(todos)).toEqual(afterFirst);
    expect(afterFirst).toHaveLength(VALID_ROWS);
  });

  it("writes the same todos again when the ledger has forgotten it: the upsert is idempotent", async () => {
    const todos = new InMemoryTodoRepository();

    const first = await new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger).execute(
      { source },
      { body: { body: slowly(csv) } },
    );
    const afterFirst = await allTodos(todos);
    const second = await new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger).execute(
      { source },
      { body: { body: slowly(csv) } },
    );

    expect(second.importId).toBe(first.importId);
    expect(second).toMatchObject({ status: "COMPLETED", imported: VALID_ROWS });
    expect(second.note).toBeUndefined();
    expect(await allTodos(todos)).toEqual(afterFirst);
    expect(afterFirst.map((todo) => todo.id)).toContain(deriveTodoId(first.importId, 2));
  });

  it("lets one of three concurrent deliveries run; the others are refused or answered, and nothing is doubled", async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);

    const outcomes = await Promise.allSettled(
      [1, 2, 3].map(() => importTodos.execute({ source }, { body: { body: slowly(csv) } })),
    );

    const ran = outcomes.filter(
      (outcome): outcome is PromiseFulfilledResult<ImportReport> =>
        outcome.status === "fulfilled" && outcome.value.note === undefined,
    );
    expect(ran).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ code: "IMPORT_IN_PROGRESS" });
      else if (outcome !== ran[0])
        expect(outcome.value).toEqual({ ...ran[0]!.value, note: ALREADY_IMPORTED_NOTE });
    }
    const stored = await allTodos(todos);
    expect(stored).toHaveLength(VALID_ROWS);
    expect(new Set(stored.map((todo) => todo.id)).size).toBe(VALID_ROWS);

    const later = await importTodos.execute({ source }, { body: { body: slowly(csv) } });
    expect(later).toEqual({ ...ran[0]!.value, note: ALREADY_IMPORTED_NOTE });
  });

  it("imports another version of the same key as a new import", async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);

    const first = await importTodos.execute({ source }, { body: { body: slowly(csv) } });
    const second = await importTodos.execute(
      { source: { ...source, version: "etag-2" } },
      { body: { body: slowly(csv) } },
    );

    expect(second.importId).not.toBe(first.importId);
    expect(second.note).toBeUndefined();
    expect(await allTodos(todos)).toHaveLength(2 * VALID_ROWS);
  });
});
