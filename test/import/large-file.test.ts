import {
  type Clock,
  CursorCodec,
  DEFAULT_IMPORT_SETTINGS,
  deriveTodoId,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  ListTodos,
  silentLogger,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";

const clock: Clock = { now: () => new Date("2024-05-06T07:08:09.000Z") };
const ROWS = 100_000;

/** A CSV of `rows` todos, generated as it is read, in chunks of about 64 KiB. */
async function* generatedCsv(rows: number, insert?: { afterRow: number; text: string }) {
  let chunk = "task,name,dueDate,checked\n";
  for (let row = 1; row <= rows; row++) {
    const day = String((row % 28) + 1).padStart(2, "0");
    chunk += `"Task ${row}, generated",Person ${row % 100},${day}-11-2026,${row % 3 === 0 ? "yes" : ""}\n`;
    if (insert?.afterRow === row) chunk += insert.text;
    if (chunk.length >= 64 * 1024) {
      yield Buffer.from(chunk, "utf8");
      chunk = "";
    }
  }
  if (chunk) yield Buffer.from(chunk, "utf8");
}

describe("importing a large file", () => {
  it(`streams ${ROWS.toLocaleString("en")} rows into the store, and the list finds them all`, async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);
    let progressCalls = 0;

    const report = await importTodos.execute(
      { source: { container: "bulk", key: "generated.csv", version: "1" } },
      { body: { body: generatedCsv(ROWS) }, onProgress: () => progressCalls++ },
    );

    expect(report).toMatchObject({
      status: "COMPLETED",
      rowsRead: ROWS,
      imported: ROWS,
      rejected: 0,
      errors: [],
    });
    expect(progressCalls).toBeGreaterThanOrEqual(ROWS / todos.preferredBatchSize);
    const { items } = await new ListTodos(todos, new CursorCodec()).first(Number.POSITIVE_INFINITY);
    const ids = new Set(items.map((todo) => todo.id));
    expect(ids.size).toBe(ROWS);
    expect(ids.has(deriveTodoId(report.importId, 2))).toBe(true);
    expect(ids.has(deriveTodoId(report.importId, ROWS + 1))).toBe(true);
    expect(await todos.get(deriveTodoId(report.importId, ROWS + 1))).toMatchObject({
      task: `Task ${ROWS}, generated`,
      dueDate: `${String((ROWS % 28) + 1).padStart(2, "0")}-11-2026`.split("-").reverse().join("-"),
      checked: false,
    });
  });

  it("skips a record over the default 64 KiB cap and keeps the rows around it, and their lines", async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);
    const huge = `"${"a quoted field that never seems to end\n".repeat(4000)}",x,,\n`;

    const report = await importTodos.execute(
      { source: { container: "bulk", key: "with-huge-record.csv", version: "1" } },
      { body: { body: generatedCsv(1000, { afterRow: 500, text: huge }) } },
    );

    expect(huge.length).toBeGreaterThan(DEFAULT_IMPORT_SETTINGS.maxRecordBytes);
    expect(report).toMatchObject({
      status: "COMPLETED",
      rowsRead: 1001,
      imported: 1000,
      rejected: 1,
      errors: [{ line: 502, reason: "record larger than 65536 bytes" }],
    });
    // The huge record spans 4001 lines: row 501 starts on line 502 + 4001.
    expect(await todos.get(deriveTodoId(report.importId, 502 + 4001))).toMatchObject({
      task: "Task 501, generated",
    });
    expect(await todos.get(deriveTodoId(report.importId, 501))).toMatchObject({
      task: "Task 500, generated",
    });
  });
});
