import { createReadStream, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Clock,
  deriveTodoId,
  type ImportReport,
  type ImportSettings,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  type RowError,
  silentLogger,
  type Todo,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/csv");
const clock: Clock = { now: () => new Date("2024-05-06T07:08:09.000Z") };

interface CorpusCase {
  file: string;
  settings?: Partial<ImportSettings>;
  report: Pick<ImportReport, "status" | "rowsRead" | "imported" | "rejected" | "failed" | "errors"> & {
    note?: string;
    headerRejected?: true;
  };
  /** The lines whose records were imported; their todos' ids derive from them. */
  importedLines: number[];
  /** Some of the todos imported, by line, with the fields that matter. */
  todos?: Record<number, Partial<Todo>>;
}

/**
 * The report of an import that read `rowsRead` rows and rejected those of `errors`, one error each: it
 * imported every other row.
 */
const completedWith = (rowsRead: number, errors: RowError[] = [], note?: string): CorpusCase["report"] => ({
  status: "COMPLETED",
  failed: 0,
  rowsRead,
  imported: rowsRead - errors.length,
  rejected: errors.length,
  errors,
  ...(note !== undefined && { note }),
});
const controlCharacters = (field: string): RowError["reason"] =>
  `${field}: must not contain control characters, line breaks or text-direction overrides`;
const invalidUtf8 = "invalid UTF-8 (or U+FFFD, the character that replaces it)";
const badDate = "dueDate: must be a real date written YYYY-MM-DD or DD-MM-YYYY";

const corpus: CorpusCase[] = [
  {
    // The workshop's todoList.csv: every value single-quoted, dates DD-MM-YYYY.
    file: "workshop-todo-list.csv",
    report: completedWith(2),
    importedLines: [2, 3],
    todos: {
      2: { task: "check serverless.com example", name: "John Doe", dueDate: "2017-12-10", checked: false },
      3: { task: "check serverless.com plugins", name: "John Doe", dueDate: "2017-12-11", checked: false },
    },
  },
  {
    file: "bom-crlf.csv",
    report: completedWith(5, [{ line: 6, reason: "checked: must be true/false, yes/no, 1/0, x or empty" }]),
    importedLines: [2, 3, 4, 5],
    todos: {
      2: { task: "Buy milk", name: "Ann", dueDate: "2024-03-01", checked: true },
      3: { task: "Pay rent", name: null, dueDate: "2024-04-01", checked: true },
      4: { task: "Walk the dog", name: "Bob", dueDate: null, checked: false },
      5: { task: "Quoted, with comma", name: "Cy", dueDate: "2024-12-31", checked: false },
    },
  },
  {
    // A CRLF file cut after the CR of its last line (its LF lost): the last record, quoted, still ends there.
    file: "crlf-last-line-ends-cr.csv",
    report: completedWith(2),
    importedLines: [2, 3],
    todos: { 3: { task: "Pay rent", name: "Bob" } },
  },
  ...["lf-quoted-multiline.csv", "crlf-quoted-multiline.csv"].map(
    (file): CorpusCase => ({
      file,
      report: completedWith(4, [{ line: 8, reason: controlCharacters("task") }]),
      importedLines: [2, 4, 10],
      todos: {
        2: { task: 'Say "hello"', name: "Ann" },
        4: { task: "Plain task", name: "Bob" },
        10: { task: "After the multi-line rows", name: "Dee" },
      },
    }),
  ),
  {
    file: "ragged-rows.csv",
    // Line 5, `,,`, is a blank record: skipped as an empty line is, not a row.
    report: completedWith(5, [
      { line: 3, reason: "expected 3 fields, found 2" },
      { line: 4, reason: "expected 3 fields, found 4" },
      { line: 7, reason: "expected 3 fields, found 1" },
    ]),
    importedLines: [2, 6],
  },
  {
    file: "invalid-utf8.csv",
    report: completedWith(
      5,
      [3, 4, 6].map((line) => ({ line, reason: invalidUtf8 })),
    ),
    importedLines: [2, 5],
    todos: { 2: { task: "Café au lait", name: "Zoë" }, 5: { task: "日本語のタスク", name: "Cy" } },
  },
  {
    file: "oversize-record.csv",
    settings: { maxRecordBytes: 256 },
    report: completedWith(
      5,
      [3, 5].map((line) => ({ line, reason: "record larger than 256 bytes" })),
    ),
    importedLines: [2, 4, 7],
  },
  { file: "empty.csv", report: completedWith(0, [], "The file is empty."), importedLines: [] },
  { file: "blank-lines.csv", report: completedWith(0, [], "The file is empty."), importedLines: [] },
  {
    file: "header-only.csv",
    report: completedWith(0, [], "The file has a header but no rows."),
    importedLines: [],
  },
  {
    file: "reordered-headers.csv",
    report: completedWith(2),
    importedLines: [2, 3],
    todos: {
      2: { task: "Reordered task", name: "Ann", dueDate: "2024-06-01", checked: true },
      3: { task: "Minimal", name: null, dueDate: null, checked: false },
    },
  },
  {
    file: "bad-dates.csv",
    report: completedWith(
      6,
      [3, 4, 5, 6].map((line) => ({ line, reason: badDate })),
    ),
    importedLines: [2, 7],
    todos: { 2: { dueDate: "2020-02-29" }, 7: { dueDate: "2024-01-05" } },
  },
  {
    file: "control-characters.csv",
    report: completedWith(6, [
      { line: 2, reason: controlCharacters("task") },
      { line: 3, reason: controlCharacters("task") },
      { line: 4, reason: controlCharacters("name") },
      { line: 5, reason: controlCharacters("task") },
      { line: 7, reason: controlCharacters("task") },
    ]),
    importedLines: [6],
  },
  {
    // No row is read, so none is rejected: the one error is the header's.
    file: "missing-task-column.csv",
    report: {
      ...completedWith(0, [], "The header is not usable: no rows were read."),
      errors: [{ line: 1, reason: 'header must contain a "task" column' }],
      headerRejected: true,
    },
    importedLines: [],
  },
  {
    file: "quote-errors.csv",
    report: completedWith(5, [
      { line: 3, reason: 'quote (") inside an unquoted field' },
      { line: 4, reason: 'closing quote (") not followed by a comma or the end of the line' },
      { line: 6, reason: 'quote (") not closed' },
    ]),
    importedLines: [2, 5],
  },
  {
    file: "single-quoted-apostrophes.csv",
    report: completedWith(2),
    importedLines: [2, 3],
    todos: {
      2: { task: "Don't forget the milk", name: "O'Brien", dueDate: "2017-11-01" },
      3: { task: 'Say "hi"', name: "Ann", dueDate: null },
    },
  },
  {
    // The workshop's file with an apostrophe left unquoted (line 2) and one not doubled (line 4): those lines
    // are refused, and the others read with ' (with ", every value kept its quotes and every date was refused).
    file: "single-quoted-stray-apostrophes.csv",
    report: completedWith(4, [
      { line: 2, reason: "quote (') inside an unquoted field" },
      { line: 4, reason: "closing quote (') not followed by a comma or the end of the line" },
    ]),
    importedLines: [3, 5],
    todos: {
      3: { task: "check serverless.com plugins", name: "John Doe", dueDate: "2017-12-11" },
      5: { task: "write the report", name: "Jane Doe", dueDate: null },
    },
  },
  {
    // Typed by hand: blanks or tabs around the commas, before an opening quote and after a closing one. Text
    // after a closing quote still breaks the record (line 6).
    file: "blanks-around-quotes.csv",
    report: completedWith(6, [
      { line: 6, reason: 'closing quote (") not followed by a comma or the end of the line' },
    ]),
    importedLines: [2, 3, 4, 5, 7],
    todos: {
      2: { task: "Buy milk, eggs", name: "Ann", dueDate: "2017-11-01" },
      3: { task: "Call Bob", name: "Bob", dueDate: "2017-12-10" },
      4: { task: "Water plants", name: "Cy", dueDate: null },
      5: { task: "Fix bike", name: "Dan", dueDate: "2017-12-11" },
      7: { task: "Read", name: "Fay", dueDate: "2017-12-12" },
    },
  },
  {
    // Classic Mac OS line endings (CR alone), with an empty line: read as LF ones, numbered as an editor does.
    file: "cr-only.csv",
    report: completedWith(3),
    importedLines: [2, 3, 5],
    todos: {
      2: { task: "Buy milk", name: "Ann", dueDate: "2017-11-01" },
      3: { task: "Call Bob, then Cy", name: "Bob", dueDate: null },
      5: { task: "Water plants", name: "Cy", dueDate: "2017-12-10" },
    },
  },
  {
    // The line break changes after the header: csv-parse alone would learn LF and refuse `"..."\r\n`.
    file: "lf-header-crlf-rows.csv",
    report: completedWith(2),
    importedLines: [2, 3],
    todos: { 2: { task: "Header ends in LF", name: "rows in CRLF" }, 3: { task: "Second", name: "Ann" } },
  },
  {
    // A CRLF file with one bare LF, in "B\nob": it ends a line, as in an editor, so "ob" is a record of its own.
    file: "mixed-line-endings.csv",
    report: completedWith(4, [{ line: 4, reason: "expected 2 fields, found 1" }]),
    importedLines: [2, 3, 5],
  },
];

describe("the corpus", () => {
  it("has a case for every CSV fixture, so that none goes untested", () => {
    const files = readdirSync(fixtures).filter((file) => file.endsWith(".csv"));

    expect([...new Set(corpus.map((entry) => entry.file))].sort()).toEqual(files.sort());
  });
});

async function importFixture(file: string, chunkSize: number, settings?: Partial<ImportSettings>) {
  const todos = new InMemoryTodoRepository();
  const importTodos = new ImportTodos(
    todos,
    new InMemoryImportLedger(),
    clock,
    silentLogger,
    undefined,
    settings,
  );
  const body = createReadStream(path.join(fixtures, file), { highWaterMark: chunkSize });
  const report = await importTodos.execute(
    { source: { container: "fixtures", key: file, version: "1" } },
    { body: { body } },
  );
  const { items } = await todos.list({ limit: 100 });
  return { report, items };
}

describe.each(corpus)("importing $file", ({ file, settings, report: expected, importedLines }) => {
  it.each([1, 5, 64 * 1024])("gives the expected report, read %i bytes at a time", async (chunkSize) => {
    const { report, items } = await importFixture(file, chunkSize, settings);

    expect(report).toMatchObject({ ...expected, errorsTruncated: false });
    // Only a file whose header cannot be used is marked, and it is marked.
    expect(report.headerRejected).toBe(expected.headerRejected);
    if (expected.note === undefined) expect(report.note).toBeUndefined();
    expect(items.map((todo) => todo.id).sort()).toEqual(
      importedLines.map((line) => deriveTodoId(report.importId, line)).sort(),
    );
  });
});

describe.each(corpus.filter((entry) => entry.todos))("importing $file", ({ file, settings, todos }) => {
  it("stores the rows' values", async () => {
    const { report, items } = await importFixture(file, 64 * 1024, settings);

    for (const [line, fields] of Object.entries(todos ?? {})) {
      const todo = items.find((item) => item.id === deriveTodoId(report.importId, Number(line)));
      expect(todo, `line ${line}`).toMatchObject({
        ...fields,
        version: 1,
        createdAt: "2024-05-06T07:08:09.000Z",
      });
    }
  });
});
