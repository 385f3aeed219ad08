import { randomUUID } from "node:crypto";
import { DynamoDbImportLedger, DynamoDbTodoRepository } from "@anycloud/adapters-aws/storage";
import {
  type ImportReport,
  StoreUnavailableError,
  type Todo,
  TodoAlreadyExistsError,
  TodoNotFoundError,
  VersionConflictError,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { LostAnswerHandler } from "../support/aws/lost-answer-handler.js";
import { useScriptableDynamoDb } from "../support/aws/scriptable-dynamodb.js";
import { aTodo } from "../support/todos.js";

// A conditional write whose first answer is lost: the stand-in applied it, the SDK was told 500 and sent it
// again, and the second attempt met the first one's write. The stores must recognise their own write.
// DynamoDB sends the item it met with the refusal; dynalite (the fallback without Java) does not, and the stores
// read it then: the tests check the calls up to the refusal, which a GetItem may follow.
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

    expect(handler.calls.slice(0, 2)).toEqual(["PutItem:lost", "PutItem:400"]);
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

    expect(handler.calls.slice(0, 2)).toEqual(["PutItem:lost", "PutItem:400"]);
    expect(await plainTodos().get(todo.id)).toEqual(todo);
  });

  it("creates a todo once, and says it was created, when the connection broke off before any answer came", async () => {
    // No status at all, as when the request times out: the SDK retries the network error (ECONNRESET).
    const handler = new LostAnswerHandler(dynamoDb.plain.config.requestHandler, ["PutItem"], [], "reset");
    const client = dynamoDb.client({ requestHandler: handler, maxAttempts: 3 });
    const todo = aTodo();

    await new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }).create(todo);

    expect(handler.calls.slice(0, 2)).toEqual(["PutItem:lost", "PutItem:400"]);
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

  it("still says a todo is not there when the delete's first call never reached the store (connection refused)", async () => {
    const handler = new LostAnswerHandler(
      dynamoDb.plain.config.requestHandler,
      ["DeleteItem"],
      [],
      "refused",
    );
    const client = dynamoDb.client({ requestHandler: handler, maxAttempts: 3 });
    const repository = new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos });

    const unversioned = repository.delete(randomUUID());

    await expect(unversioned).rejects.toBeInstanceOf(TodoNotFoundError);
    expect(handler.calls).toEqual(["DeleteItem:refused", "DeleteItem:400"]);
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

    expect(handler.calls.slice(0, 2)).toEqual(["PutItem:lost", "PutItem:400"]);
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

    expect(handler.calls.slice(0, 2)).toEqual(["UpdateItem:lost", "UpdateItem:400"]);
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

    expect(handler.calls.slice(0, 2)).toEqual(["UpdateItem:lost", "UpdateItem:400"]);
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

    expect(handler.calls.slice(0, 2)).toEqual(["UpdateItem:lost", "UpdateItem:400"]);
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

  it("still says a todo is not there when an update's first answer was lost", async () => {
    const { handler, client } = losing("PutItem");

    const attempt = new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }).update(
      aTodo(),
      1,
    );

    await expect(attempt).rejects.toBeInstanceOf(TodoNotFoundError);
    // The refusal carries no item, for there is none: one read says so, on every stand-in.
    expect(handler.calls).toEqual(["PutItem:lost", "PutItem:400", "GetItem:200"]);
  });

  it("still refuses a delete at a stale version when its first answer was lost", async () => {
    const todo = aTodo({ version: 2 });
    await plainTodos().create(todo);
    const { handler, client } = losing("DeleteItem");

    const attempt = new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }).delete(
      todo.id,
      1,
    );

    await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
    expect(handler.calls.slice(0, 2)).toEqual(["DeleteItem:lost", "DeleteItem:400"]);
    expect(await plainTodos().get(todo.id)).toEqual(todo);
  });

  it("still says a report was not recorded for an import it never saw", async () => {
    const importId = randomUUID();
    const { handler, client } = losing("UpdateItem");
    const ledger = new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports });

    const recorded = await ledger.finish(importId, 1, report(importId));

    expect(handler.calls.slice(0, 2)).toEqual(["UpdateItem:lost", "UpdateItem:400"]);
    expect(recorded).toBe(false);
    expect(await ledger.get(importId)).toBeUndefined();
  });

  it("still says a report was not recorded when the attempt had already recorded another one", async () => {
    const importId = randomUUID();
    const ledger = new DynamoDbImportLedger(dynamoDb.plain, { tableName: dynamoDb.tables.imports });
    await ledger.claim(claim(importId));
    const first = { ...report(importId), status: "FAILED" as const, note: "first" };
    await ledger.finish(importId, 1, first);
    const { client } = losing("UpdateItem");

    const recorded = await new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports }).finish(
      importId,
      1,
      { ...first, note: "second" },
    );

    expect(recorded).toBe(false);
    expect(await ledger.get(importId)).toMatchObject({ attempt: 1, report: first });
  });

  it("still says a report was not recorded when a later attempt recorded the same one", async () => {
    const importId = randomUUID();
    const ledger = new DynamoDbImportLedger(dynamoDb.plain, { tableName: dynamoDb.tables.imports });
    await ledger.claim(claim(importId));
    // The first attempt's lease lapses, and a second attempt takes the import over and finishes it.
    await ledger.claim({ ...claim(importId), now: new Date(Date.now() + 120_000).toISOString() });
    await ledger.finish(importId, 2, report(importId));
    const { client } = losing("UpdateItem");

    const recorded = await new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports }).finish(
      importId,
      1,
      report(importId),
    );

    expect(recorded).toBe(false);
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", attempt: 2 });
  });

  it("still says a lease was not renewed when another attempt holds the import", async () => {
    const importId = randomUUID();
    const ledger = new DynamoDbImportLedger(dynamoDb.plain, { tableName: dynamoDb.tables.imports });
    await ledger.claim(claim(importId));
    await ledger.finish(importId, 1, { ...report(importId), status: "FAILED" });
    await ledger.claim(claim(importId));
    const { handler, client } = losing("UpdateItem");

    const renewed = await new DynamoDbImportLedger(client, { tableName: dynamoDb.tables.imports }).renew(
      importId,
      1,
      new Date(Date.now() + 600_000).toISOString(),
    );

    expect(handler.calls.slice(0, 2)).toEqual(["UpdateItem:lost", "UpdateItem:400"]);
    expect(renewed).toBe(false);
  });
});

// A write the store refuses for another reason than its condition (here throttled, the SDK trying once) was not
// applied, whatever the table holds: the store is unavailable, which is not the answer its condition would give.
describe("DynamoDB stores when a conditional write is refused for another reason than its condition", () => {
  const dynamoDb = useScriptableDynamoDb({ todos: "todos-refused", imports: "imports-refused" });

  /** A client whose first call of `operation` is throttled, and not retried. */
  function throttling(operation: string) {
    const handler = new LostAnswerHandler(dynamoDb.plain.config.requestHandler, [], [operation]);
    return dynamoDb.client({ requestHandler: handler, maxAttempts: 1 });
  }

  it.each([
    ["create", "PutItem", (todos: DynamoDbTodoRepository, todo: Todo) => todos.create(todo)],
    ["update", "PutItem", (todos: DynamoDbTodoRepository, todo: Todo) => todos.update(todo, 1)],
    [
      "versioned delete",
      "DeleteItem",
      (todos: DynamoDbTodoRepository, todo: Todo) => todos.delete(todo.id, 1),
    ],
    ["delete", "DeleteItem", (todos: DynamoDbTodoRepository, todo: Todo) => todos.delete(todo.id)],
  ])("throws StoreUnavailableError when a todo's %s is throttled", async (_, operation, write) => {
    const todo = aTodo();
    await new DynamoDbTodoRepository(dynamoDb.plain, { tableName: dynamoDb.tables.todos }).create(todo);
    const todos = new DynamoDbTodoRepository(throttling(operation), { tableName: dynamoDb.tables.todos });

    const attempt = write(todos, todo);

    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it.each([
    ["claim", (ledger: DynamoDbImportLedger, importId: string) => ledger.claim(claim(importId))],
    [
      "finish",
      (ledger: DynamoDbImportLedger, importId: string) => ledger.finish(importId, 1, report(importId)),
    ],
    [
      "renewal",
      (ledger: DynamoDbImportLedger, importId: string) =>
        ledger.renew(importId, 1, new Date(Date.now() + 600_000).toISOString()),
    ],
  ])("throws StoreUnavailableError when an import's %s is throttled", async (_, write) => {
    const importId = randomUUID();
    await new DynamoDbImportLedger(dynamoDb.plain, { tableName: dynamoDb.tables.imports }).claim(
      claim(importId),
    );
    const ledger = new DynamoDbImportLedger(throttling("UpdateItem"), { tableName: dynamoDb.tables.imports });

    const attempt = write(ledger, importId);

    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
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
