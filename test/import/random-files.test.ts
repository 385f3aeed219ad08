import {
  type Clock,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  silentLogger,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";

// Random files made of the bytes CSV import trips on (quotes of both kinds, CR, LF, commas, a BOM), each
// imported whole and one byte at a time. Seeded: a failure names its seed and file, and reproduces. Fuzzing
// found a file ending in CRs whose last row took the previous row's line, and so its id: the store kept one
// todo where the report counted two, which these invariants catch.

const clock: Clock = { now: () => new Date("2026-01-02T03:04:05.000Z") };
const PIECES = [
  "task",
  "x",
  "ab",
  " ",
  ",",
  ",",
  "\n",
  "\n",
  "\r",
  "\r\n",
  '"',
  '"',
  "'",
  "é",
  "name",
  "2024-05-06",
];
const HEADERS = ["task", "task,name", "name,task", "task,other", "TASK , dueDate", "task,task", "title"];

/** mulberry32: small, seeded, good enough to pick pieces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFile(next: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const bom = next() < 0.1 ? "\uFEFF" : "";
  const eol = pick(["\n", "\r\n", "\r"]);
  let body = "";
  const pieces = Math.floor(next() * 40);
  for (let i = 0; i < pieces; i++) body += pick(PIECES);
  // How a file ends matters most: with a line break, without one, or with CRs csv-parse waits on.
  return `${bom}${pick(HEADERS)}${eol}${body}${pick(["", "\n", "\r", "\r\r", "\rx\r"])}`;
}

async function importOf(text: string, chunkSize: number) {
  const todos = new InMemoryTodoRepository();
  const importTodos = new ImportTodos(todos, new InMemoryImportLedger(), clock, silentLogger);
  const bytes = Buffer.from(text, "utf8");
  async function* body() {
    for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
  }
  const source = { container: "random", key: "file.csv", version: "1" };
  const report = await importTodos.execute({ source }, { body: { body: body() } });
  const { items } = await todos.list({ limit: 100 });
  return { report, items };
}

describe("importing random files of CSV's tricky bytes", () => {
  const SEED = 20261127;
  const FILES = 1000;

  it(`keeps its invariants over ${FILES} files (seed ${SEED})`, async () => {
    const next = random(SEED);
    for (let file = 0; file < FILES; file++) {
      const text = randomFile(next);
      const where = `file ${file}: ${JSON.stringify(text)}`;
      const whole = await importOf(text, 64 * 1024);
      const byByte = await importOf(text, 1);
      const { report, items } = whole;

      expect(report.status, where).toBe("COMPLETED");
      // Every row counted as imported is a todo of its own: no two rows share a line, and so an id.
      expect(items, where).toHaveLength(report.imported);
      expect(report.rowsRead, where).toBe(report.imported + report.rejected + report.failed);
      // The lines named are lines of the file, data lines for the todos. A file whose first line ends with a
      // lone CR is read with CR line endings (old Mac files): counting every line break bounds both readings.
      const lines = text.split(/\r\n|\r|\n/).length;
      const todoLines = items.map((todo) => Number.parseInt(todo.id.slice(-12), 16));
      expect(
        todoLines.every((line) => line >= 2 && line <= lines),
        where,
      ).toBe(true);
      expect(
        report.errors.every((error) => error.line >= 1 && error.line <= lines),
        where,
      ).toBe(true);
      // How the bytes arrive changes nothing.
      const outcome = ({ report: r, items: todos }: typeof whole) => ({
        counts: [r.rowsRead, r.imported, r.rejected, r.headerRejected],
        errors: r.errors,
        todos: todos.map((todo) => [todo.id, todo.task, todo.name, todo.dueDate, todo.checked]),
      });
      expect(outcome(byByte), where).toEqual(outcome(whole));
    }
  });
});
