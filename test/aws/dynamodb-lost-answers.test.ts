import { randomUUID } from "node:crypto";
import { DynamoDbImportLedger, DynamoDbTodoRepository } from "@anycloud/adapters-aws/storage";
import { type ImportReport, TodoAlreadyExistsError, TodoNotFoundError } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { LostAnswerHandler } from "../support/aws/lost-answer-handler.js";
import { useScriptableDynamoDb } from "../support/aws/scriptable-dynamodb.js";
import { aTodo } from "../support/todos.js";

// A conditional write whose first answer is lost: the stand-in applied it, the SDK was told 500 and sent it
// again, and the second attempt met the first one's write. The stores must recognise their own write.
describe("DynamoDB stores when the SDK retries a write that landed", () => {
  const dynamoDb = useScriptableDynamoDb({ todos: "todos-lost", imports: "imports-lost" });

  /** A client that loses the first answer to each of `operations`, and the handler that does it. */
  function losing(...operations: string[]) {
    const handler = new LostAnswerHandler(dynamoDb.plain.config.requestHandler, operations);
    return { handler, client: dynamoDb.client({ requestHandler: handler, maxAttempts: 3 }) };
  }

  const plainTodos = () => new DynamoDbTodoRepository(dynamoDb.plain, { tableName: dynamoDb.tables.todos });

  it("creates a todo once, and says it was created", async () => {
    const { handler, client } = losing("PutItem");
    const todo = aTodo();

    await new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }).create(todo);

    expect(handler.calls).toEqual(["PutItem:lost", "PutItem:400"]);
    expect(await plainTodos().get(todo.id)).toEqual(todo);
  });

  it("creates a todo once, and says it was created, when the connection broke off after the answer's 200", async () => {
    // The SDK gives the body's read error the status it saw (200) and retries it (ECONNRESET): the write landed.
    const handler = new LostAnswerHandler(
      dynamoDb.plain.config.requestHandler,
      ["PutItem"],
      [],
      "reset-after-200",
    );
    const client = dynamoDb.client({ requestHandler: handler, maxAttempts: 3 });
    const todo = aTodo();

    await new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }).create(todo);

    expect(handler.calls).toEqual(["PutItem:lost", "PutItem:400"]);
    expect(await plainTodos().get(todo.id)).toEqual(todo);
  });

  it("still refuses a create whose id another todo holds", async () => {
    const taken = aTodo({ task: "first" });
    await plainTodos().create(taken);
    const { client } = losing("PutItem");

    await expect(
      new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }).create({
        ...taken,
        task: "second",
      }),
    ).rejects.toBeInstanceOf(TodoAlreadyExistsError);
  });

  it("still says a todo is not there when the delete's first call was throttled, not lost", async () => {
    const handler = new LostAnswerHandler(dynamoDb.plain.config.requestHandler, [], ["DeleteItem"]);
    const client = dynamoDb.client({ requestHandler: handler, maxAttempts: 3 });
    const repository = new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos });

    const unversioned = repository.delete(randomUUID());

    await expect(unversioned).rejects.toBeInstanceOf(TodoNotFoundError);
    expect(handler.calls).toEqual(["DeleteItem:throttled", "DeleteItem:400"]);
  });

  it("deletes a todo once, and says it was deleted, when the delete's first answer was lost", async () => {
    const todo = aTodo();
    await plainTodos().create(todo);
    const { handler, client } = losing("DeleteItem");

    await new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }).delete(todo.id, 1);

    expect(handler.calls.slice(0, 2)).toEqual(["DeleteItem:lost", "DeleteItem:400"]);
    expect(await plainTodos().get(todo.id)).toBeUndefined();
  });

  it("updates a todo at its version once, and says it was updated", async () => {
    const todo = aTodo();
    await plainTodos().create(todo);
    const { handler, client } = losing("PutItem");
    const updated = { ...todo, task: "Mend the gate", version: 2, updatedAt: "2030-01-02T00:00:00.000Z" };

    await new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }).update(updated, 1);

    expect(handler.calls).toEqual(["PutItem:lost", "PutItem:400"]);
    expect(await plainTodos().get(todo.id)).toEqual(updated);
  });

  it.each([
    ["at its version", 1],
    ["at any version", undefined],
  ])("deletes a todo %s once, and says it was deleted", async (_, version) => {
    const todo = aTodo();
    await plainTodos().create(todo);
    const { handler, client } = losing("DeleteItem");
    const repository = new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos });

    await repository.delete(todo.id, version);

    expect(handler.calls.slice(0, 2)).toEqual(["DeleteItem:lost", "DeleteItem:400"]);
    expect(await plainTodos().get(todo.id)).toBeUndefined();
  });

  it("claims an import once, and says it holds it", async () => {
    const { handler, client } = losing("UpdateItem");
    const importId = randomUUID();

    const result = await new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports }).claim(
      claim(importId),
    );

    expect(handler.calls).toEqual(["UpdateItem:lost", "UpdateItem:400"]);
    expect(result).toMatchObject({ claimed: true, entry: { status: "RUNNING", attempt: 1 } });
  });

  it("still refuses a claim on an import another invocation holds", async () => {
    const importId = randomUUID();
    await new DynamoDbImportLedger(dynamoDb.plain, { tableName: dynamoDb.tables.imports }).claim(
      claim(importId),
    );
    const { client } = losing("UpdateItem");

    const result = await new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports }).claim(
      claim(importId),
    );

    expect(result).toMatchObject({ claimed: false, entry: { status: "RUNNING", attempt: 1 } });
  });

  it("finishes an import once, and says its report was recorded", async () => {
    const importId = randomUUID();
    await new DynamoDbImportLedger(dynamoDb.plain, { tableName: dynamoDb.tables.imports }).claim(
      claim(importId),
    );
    const { handler, client } = losing("UpdateItem");
    const ledger = new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports });

    const recorded = await ledger.finish(importId, 1, report(importId));

    expect(handler.calls).toEqual(["UpdateItem:lost", "UpdateItem:400"]);
    expect(recorded).toBe(true);
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", report: report(importId) });
  });

  it("finishes an import once, and says so, when the connection broke off after the answer's 200", async () => {
    const importId = randomUUID();
    await new DynamoDbImportLedger(dynamoDb.plain, { tableName: dynamoDb.tables.imports }).claim(
      claim(importId),
    );
    const handler = new LostAnswerHandler(
      dynamoDb.plain.config.requestHandler,
      ["UpdateItem"],
      [],
      "reset-after-200",
    );
    const client = dynamoDb.client({ requestHandler: handler, maxAttempts: 3 });
    const ledger = new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports });

    const recorded = await ledger.finish(importId, 1, report(importId));

    expect(handler.calls).toEqual(["UpdateItem:lost", "UpdateItem:400"]);
    expect(recorded).toBe(true);
  });

  it("still says a report was not recorded when another attempt holds the import", async () => {
    const importId = randomUUID();
    const ledger = new DynamoDbImportLedger(dynamoDb.plain, { tableName: dynamoDb.tables.imports });
    await ledger.claim(claim(importId));
    await ledger.finish(importId, 1, { ...report(importId), status: "FAILED" });
    await ledger.claim(claim(importId));
    const { client } = losing("UpdateItem");

    const recorded = await new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports }).finish(
      importId,
      1,
      report(importId),
    );

    expect(recorded).toBe(false);
    expect(await ledger.get(importId)).toMatchObject({ status: "RUNNING", attempt: 2 });
  });
});

const SOURCE = { container: "uploads", key: "todos.csv", version: "v1" };

function claim(importId: string) {
  return {
    importId,
    source: SOURCE,
    now: new Date().toISOString(),
    leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
  };
}

function report(importId: string): ImportReport {
  return {
    importId,
    source: SOURCE,
    status: "COMPLETED",
    rowsRead: 1,
    imported: 1,
    rejected: 0,
    failed: 0,
    errors: [],
    errorsTruncated: false,
    startedAt: "2030-01-01T00:00:00.000Z",
    finishedAt: "2030-01-01T00:00:01.000Z",
    durationMs: 1000,
  };
}
