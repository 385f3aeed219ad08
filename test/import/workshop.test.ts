import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Clock,
  CursorCodec,
  deriveTodoId,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  ListTodos,
  silentLogger,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const clock: Clock = { now: () => new Date("2017-11-20T09:00:00.000Z") };

// The workshop's todoList.csv, byte for byte: its values are single-quoted.
const workshopCsv = `task,name,dueDate
'check serverless.com example','John Doe','10-12-2017'
'check serverless.com plugins','John Doe','11-12-2017'
`;

async function* chunks(text: string) {
  yield Buffer.from(text, "utf8");
}

describe("importing the workshop's sample file", () => {
  // A check of the test's own data: the corpus imports the fixture (corpus.test.ts), this test the text.
  it("is the fixture the corpus also holds", async () => {
    expect(await readFile(path.join(here, "../fixtures/csv/workshop-todo-list.csv"), "utf8")).toBe(
      workshopCsv,
    );
  });

  it("stores the values without the single quotes the original kept", async () => {
    const todos = new InMemoryTodoRepository();
    const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);
    const source = { container: "workshop-bucket", key: "todoList.csv", version: "1" };

    const report = await importTodos.execute({ source }, { body: { body: chunks(workshopCsv) } });

    expect(report).toMatchObject({ status: "COMPLETED", rowsRead: 2, imported: 2, rejected: 0, errors: [] });
    const { items: listed } = await new ListTodos(todos, new CursorCodec()).first(Number.POSITIVE_INFINITY);
    // In the file's order: an import's todos share their createdAt, and their ids sort like their lines.
    expect(listed).toEqual([
      {
        id: deriveTodoId(report.importId, 2),
        task: "check serverless.com example",
        name: "John Doe",
        dueDate: "2017-12-10",
        checked: false,
        createdAt: "2017-11-20T09:00:00.000Z",
        updatedAt: "2017-11-20T09:00:00.000Z",
        version: 1,
      },
      {
        id: deriveTodoId(report.importId, 3),
        task: "check serverless.com plugins",
        name: "John Doe",
        dueDate: "2017-12-11",
        checked: false,
        createdAt: "2017-11-20T09:00:00.000Z",
        updatedAt: "2017-11-20T09:00:00.000Z",
        version: 1,
      },
    ]);
  });

  it("reproduces the original's mistake when told the quote is the double quote: the dates do not parse", async () => {
    const importTodos = new ImportTodos(
      new InMemoryTodoRepository(),
      new InMemoryImportLedger(),
      clock,
      silentLogger,
    );

    const report = await importTodos.execute(
      { source: { container: "workshop-bucket", key: "todoList.csv", version: "1" }, quote: '"' },
      { body: { body: chunks(workshopCsv) } },
    );

    expect(report).toMatchObject({
      imported: 0,
      rejected: 2,
      errors: [
        { line: 2, reason: "dueDate: must be a real date written YYYY-MM-DD or DD-MM-YYYY" },
        { line: 3, reason: "dueDate: must be a real date written YYYY-MM-DD or DD-MM-YYYY" },
      ],
    });
  });
});
