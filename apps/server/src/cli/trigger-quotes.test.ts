import {
  ImportKeyReusedError,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  importIdOf,
  type ObjectRef,
  type OpenedObject,
  StoreUnavailableError,
  silentLogger,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { quoteFingerprint, withTriggerQuotes } from "./trigger-quotes.js";

const clock = { now: () => new Date("2026-11-28T12:00:00.000Z") };
// Ten rows whose task holds a comma inside double quotes: read with single quotes, each has three fields.
const csv = `task,name\n${Array.from({ length: 10 }, (_, index) => `"Task ${index}, soon",Ann`).join("\n")}\n`;
const object: ObjectRef = {
  container: "uploads",
  key: "todos.csv",
  version: "3858f62230ac3c915f300c664312c63f",
};

function body(): OpenedObject {
  return {
    body: (async function* () {
      yield Buffer.from(csv);
    })(),
  };
}

/** The S3 trigger's attempt, as it runs: no fingerprint, the quote found by itself; its second batch fails. */
async function triggerFailedHalfWay(todos: InMemoryTodoRepository, ledger: InMemoryImportLedger) {
  const putMany = todos.putMany.bind(todos);
  let batches = 0;
  todos.putMany = async (batch, options) => {
    batches += 1;
    if (batches === 2) throw new StoreUnavailableError("The todo store is unavailable.");
    return putMany(batch, options);
  };
  await expect(
    new ImportTodos(todos, ledger, clock, silentLogger).execute({ source: object }, { body: body() }),
  ).rejects.toThrow(StoreUnavailableError);
  todos.putMany = putMany;
  expect(await ledger.get(importIdOf(object))).toMatchObject({ status: "FAILED", writtenThrough: 6 });
}

describe("todo import s3://… of an object the S3 trigger began to import", () => {
  it("refuses another --quote than the trigger's, rather than go on from its checkpoint reading otherwise, and finishes it with auto", async () => {
    const todos = Object.assign(new InMemoryTodoRepository(), { preferredBatchSize: 5 });
    const ledger = new InMemoryImportLedger();
    await triggerFailedHalfWay(todos, ledger);
    const cli = new ImportTodos(todos, withTriggerQuotes(ledger), clock, silentLogger);

    const single = cli.execute(
      { source: { ...object, fingerprint: quoteFingerprint("'") }, quote: "'" },
      { body: body() },
    );
    await expect(single).rejects.toThrow(ImportKeyReusedError);
    expect(await ledger.get(importIdOf(object))).toMatchObject({ status: "FAILED", attempt: 1 });
    const auto = await cli.execute(
      { source: { ...object, fingerprint: quoteFingerprint("auto") }, quote: "auto" },
      { body: body() },
    );

    expect(auto).toMatchObject({ status: "COMPLETED", imported: 10, rejected: 0 });
    expect((await todos.list({ limit: 20 })).items.map((todo) => todo.task)).toContain("Task 9, soon");
  });
});
