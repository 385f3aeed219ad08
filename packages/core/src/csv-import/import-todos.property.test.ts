import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import type { Clock } from "../shared/clock.js";
import { silentLogger } from "../shared/logger.js";
import { bodyOf, chunked, chunkSizes, generatedCsv, isBlank } from "../test-support/generated-csv.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import type { Todo } from "../todos/todo.js";
import { readImportHeader } from "./import-header.js";
import { deriveTodoId, importIdOf } from "./import-identity.js";
import type { ImportReport } from "./import-report.js";
import { ALREADY_IMPORTED_NOTE, ImportTodos } from "./import-todos.js";
import { InMemoryImportLedger } from "./in-memory-import-ledger.js";
import type { ObjectRef } from "./ports/object-source.js";
import { readTodoRow } from "./todo-row.js";

const clock: Clock = { now: () => new Date("2024-05-06T07:08:09.000Z") };
const source: ObjectRef = { container: "uploads", key: "todos.csv", version: "v1" };

async function allTodos(todos: InMemoryTodoRepository): Promise<Todo[]> {
  return (await todos.list({ limit: 100_000 })).items;
}

/** An import of `chunks` into a store of its own, and what the store holds after it. */
async function importInto(
  chunks: Buffer[],
  quote: '"' | "'",
  store = new InMemoryTodoRepository(),
  ledger = new InMemoryImportLedger(),
) {
  const importTodos = new ImportTodos(store, ledger, clock, silentLogger, undefined, { maxErrors: 1000 });
  const report = await importTodos.execute({ source, quote }, { body: { body: bodyOf(chunks) } });
  return { report, todos: await allTodos(store), store, ledger };
}

/** A report without its timings, which no two runs share. */
const outcome = ({ startedAt, finishedAt, durationMs, ...rest }: ImportReport) => rest;

describe("ImportTodos, on generated CSV files cut into chunks", () => {
  it("stores each valid row as a todo whose id derives from its line, and reports every other", async () => {
    await fc.assert(
      fc.asyncProperty(generatedCsv({ broken: true }), chunkSizes, async (file, sizes) => {
        const { report, todos } = await importInto(chunked(file.bytes, sizes), file.quote);

        const columns = readImportHeader(file.header);
        if ("reason" in columns) throw new Error(columns.reason);
        // Blank records are skipped as empty lines are: not rows.
        const records = file.records.filter((record) => record.broken || !isBlank(record));
        const reads = records.map((record) =>
          record.broken ? undefined : readTodoRow({ fields: record.fields, line: record.line }, columns),
        );
        const importId = importIdOf(source);
        const expected = reads.flatMap((read) =>
          read?.kind === "row"
            ? [
                {
                  id: deriveTodoId(importId, read.line),
                  task: read.row.task,
                  name: read.row.name ?? null,
                  dueDate: read.row.dueDate ?? null,
                  checked: read.row.checked,
                },
              ]
            : [],
        );
        expect(
          todos.map(({ id, task, name, dueDate, checked }) => ({ id, task, name, dueDate, checked })),
        ).toEqual(expected);
        expect(report).toMatchObject({
          status: "COMPLETED",
          rowsRead: records.length,
          imported: expected.length,
          rejected: records.length - expected.length,
          failed: 0,
        });
        expect(report.errors.map(({ line }) => line)).toEqual(
          records.filter((_, index) => reads[index]?.kind !== "row").map(({ line }) => line),
        );
      }),
      propertyRuns(200),
    );
  });

  it("writes the same todos and report whatever the chunks, and nothing more when run again", async () => {
    await fc.assert(
      fc.asyncProperty(
        generatedCsv({ broken: true }),
        chunkSizes,
        chunkSizes,
        async (file, sizes, otherSizes) => {
          const first = await importInto(chunked(file.bytes, sizes), file.quote);
          const second = await importInto(chunked(file.bytes, otherSizes), file.quote);
          const again = await importInto(
            chunked(file.bytes, otherSizes),
            file.quote,
            first.store,
            first.ledger,
          );

          expect(second.todos).toEqual(first.todos);
          expect(outcome(second.report)).toEqual(outcome(first.report));
          expect(again.todos).toEqual(first.todos);
          expect(outcome(again.report)).toEqual({ ...outcome(first.report), note: ALREADY_IMPORTED_NOTE });
        },
      ),
      propertyRuns(150),
    );
  });
});
