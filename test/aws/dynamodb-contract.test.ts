import { randomUUID } from "node:crypto";
import { DynamoDbImportLedger, DynamoDbTodoRepository } from "@anycloud/adapters-aws/storage";
import {
  InvalidCursorError,
  StoreUnavailableError,
  type Todo,
  TodoAlreadyExistsError,
  TodoNotFoundError,
  VersionConflictError,
} from "@anycloud/core";
import { type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { dynamoDbClientFor } from "../support/aws/aws-clients.js";
import { describeDynamoDbContracts } from "../support/aws/dynamodb-contracts.js";
import { type DynamoDbStandIn, startDynamoDb } from "../support/aws/dynamodb-stand-in.js";
import { createTables, uniqueTableName } from "../support/aws/dynamodb-tables.js";
import { aTodo } from "../support/todos.js";

// The stand-in starts while the file is collected, so that the suites can be named after it.
const standIn: DynamoDbStandIn = await startDynamoDb();
const client: DynamoDBClient = dynamoDbClientFor(standIn.endpoint);

afterAll(async () => {
  client.destroy();
  await standIn.stop();
});

describeDynamoDbContracts(standIn.kind, client);

describe(`DynamoDbTodoRepository on ${standIn.kind}, beyond the contract`, () => {
  let tableName: string;
  let drop: () => Promise<void>;
  let repository: DynamoDbTodoRepository;

  beforeEach(async () => {
    tableName = uniqueTableName("todos");
    ({ drop } = await createTables(client, { todos: tableName }));
    repository = new DynamoDbTodoRepository(client, { tableName });
  });

  afterEach(async () => {
    await drop();
  });

  it("prefers batches that keep four BatchWriteItem calls of 25 busy four times over", () => {
    expect(repository.preferredBatchSize).toBe(400);
    expect(new DynamoDbTodoRepository(client, { tableName, concurrency: 2 }).preferredBatchSize).toBe(200);
  });

  it("hands out cursors that are the last listed todo's table key", async () => {
    for (let index = 0; index < 3; index++) await repository.create(aTodo());

    const page = await repository.list({ limit: 2 });

    expect(JSON.parse(page.nextCursor!)).toEqual({ id: page.items[1]?.id });
  });

  it("resumes a listing after its cursor's todo even when that todo was deleted in between", async () => {
    const todos = Array.from({ length: 9 }, () => aTodo());
    await repository.putMany(todos);
    const first = await repository.list({ limit: 3 });

    await repository.delete(first.items[2]!.id);
    const rest = await listFrom(repository, 3, first.nextCursor);

    const seen = [...first.items, ...rest].map((todo) => todo.id);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
  });

  it.each([
    ["an empty object", "{}"],
    ["an empty id", '{"id":""}'],
    ["a numeric id", '{"id":7}'],
    ["an extra field", '{"id":"a","createdAt":"2030-01-01"}'],
    ["a DynamoDB-typed key", '{"id":{"S":"a"}}'],
    ["JSON null", "null"],
    ["an id over DynamoDB's 2,048-byte key limit", JSON.stringify({ id: "x".repeat(2049) })],
  ])("throws InvalidCursorError for a cursor holding %s", async (_, cursor) => {
    const attempt = repository.list({ limit: 10, cursor });

    await expect(attempt).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("reports a todo over DynamoDB's 400 KB item limit and writes the rest of its batch", async () => {
    const huge = aTodo({ task: "x".repeat(410 * 1024) });
    const others = Array.from({ length: 30 }, () => aTodo());

    const result = await repository.putMany([huge, ...others]);

    expect(result.failed).toEqual([{ id: huge.id, reason: expect.stringMatching(/too large/) }]);
    expect(await repository.get(huge.id)).toBeUndefined();
    for (const todo of others) expect(await repository.get(todo.id)).toEqual(todo);
  });

  it("writes 25 todos under the item limit whose DynamoDB JSON is over a call's 16 MB", async () => {
    // 330 KB each as stored, 660 KB as sent (each quote escaped): DynamoDB refuses one call of all 25 (413).
    const todos = Array.from({ length: 25 }, () => aTodo({ task: '"'.repeat(330 * 1024) }));

    const result = await repository.putMany(todos);

    expect(result.failed).toEqual([]);
    for (const todo of todos) expect(await repository.get(todo.id)).toEqual(todo);
  });

  it("reports a todo with a field of the wrong type, naming no store internals, and writes the others", async () => {
    const broken = { ...aTodo(), task: null } as unknown as Todo;
    const good = aTodo();

    const result = await repository.putMany([broken, good]);

    expect(result.failed).toEqual([{ id: broken.id, reason: expect.any(String) }]);
    expect(result.failed[0]?.reason).not.toMatch(/dynamo|attribute|validation/i);
    expect(await repository.get(good.id)).toEqual(good);
  });

  it("keeps the last of two todos that share an id in one putMany, as writing them in turn would", async () => {
    const first = aTodo({ task: "first" });
    const second = { ...first, task: "second", version: 2 };

    const result = await repository.putMany([first, aTodo(), second]);

    expect(result.failed).toEqual([]);
    expect(await repository.get(first.id)).toEqual(second);
  });

  it("throws StoreUnavailableError, with the SDK's error as cause, when the table does not exist", async () => {
    const missing = new DynamoDbTodoRepository(client, { tableName: uniqueTableName("missing") });

    const errors = await Promise.all([
      missing.get(randomUUID()).catch((error: unknown) => error),
      missing.putMany([aTodo()]).catch((error: unknown) => error),
      missing.putMany([aTodo()], { keepExisting: true }).catch((error: unknown) => error),
      missing.list({ limit: 5 }).catch((error: unknown) => error),
    ]);

    for (const error of errors) {
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/todo store/);
      expect((error as Error).cause).toMatchObject({ name: "ResourceNotFoundException" });
    }
  });

  it("gives the store's refusal as the cause of a taken id, a version conflict and a missing todo", async () => {
    const todo = aTodo();
    await repository.create(todo);

    const taken = await repository.create(todo).catch((error: unknown) => error);
    const conflict = await repository.update(todo, 2).catch((error: unknown) => error);
    const missing = aTodo();
    const updatedMissing = await repository.update(missing, 1).catch((error: unknown) => error);
    const deletedMissing = await repository.delete(missing.id).catch((error: unknown) => error);

    expect(taken).toBeInstanceOf(TodoAlreadyExistsError);
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect(updatedMissing).toBeInstanceOf(TodoNotFoundError);
    expect(deletedMissing).toBeInstanceOf(TodoNotFoundError);
    for (const error of [taken, conflict, updatedMissing, deletedMissing]) {
      expect((error as Error).cause).toMatchObject({ name: "ConditionalCheckFailedException" });
    }
  });

  it("reads strongly consistently, so that a read sees every write that finished before it", async () => {
    const { client: recording, inputs } = recordingClient();
    const todos = new DynamoDbTodoRepository(recording, { tableName });
    const todo = aTodo();
    await todos.create(todo);

    await todos.get(todo.id);
    await todos.list({ limit: 10 });

    expect(inputs.filter(({ command }) => command === "GetItemCommand" || command === "ScanCommand")).toEqual(
      [
        { command: "GetItemCommand", input: expect.objectContaining({ ConsistentRead: true }) },
        { command: "ScanCommand", input: expect.objectContaining({ ConsistentRead: true }) },
      ],
    );
  });
});

describe(`DynamoDbImportLedger on ${standIn.kind}, beyond the contract`, () => {
  it("throws StoreUnavailableError when its table does not exist", async () => {
    const ledger = new DynamoDbImportLedger(client, { tableName: uniqueTableName("missing") });

    const attempt = ledger.get(randomUUID());

    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(attempt).rejects.toThrow(/import ledger/);
  });

  it("answers a claim on a running import whose entry holds no claim token, as entries written before tokens do", async () => {
    const tableName = uniqueTableName("imports");
    const { drop } = await createTables(client, { imports: tableName });
    const importId = randomUUID();
    const source = { container: "uploads", key: "todos.csv" };
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          importId: { S: importId },
          source: { S: JSON.stringify(source) },
          status: { S: "RUNNING" },
          attempt: { N: "1" },
          startedAt: { S: "2030-01-01T00:00:00.000Z" },
          leaseExpiresAt: { S: "2030-01-01T00:15:00.000Z" },
        },
      }),
    );

    try {
      const result = await new DynamoDbImportLedger(client, { tableName }).claim({
        importId,
        source,
        now: "2030-01-01T00:01:00.000Z",
        leaseExpiresAt: "2030-01-01T00:16:00.000Z",
      });

      expect(result).toEqual({
        claimed: false,
        entry: expect.objectContaining({ status: "RUNNING", attempt: 1 }),
      });
    } finally {
      await drop();
    }
  });

  it("reads strongly consistently, so that a read sees every write that finished before it", async () => {
    const tableName = uniqueTableName("imports");
    const { drop } = await createTables(client, { imports: tableName });
    const { client: recording, inputs } = recordingClient();

    try {
      await new DynamoDbImportLedger(recording, { tableName }).get(randomUUID());

      expect(inputs).toEqual([
        { command: "GetItemCommand", input: expect.objectContaining({ ConsistentRead: true }) },
      ]);
    } finally {
      await drop();
    }
  });
});

/** A client of the stand-in that records each command it sends, with its input. */
function recordingClient() {
  const recording = dynamoDbClientFor(standIn.endpoint);
  const inputs: { command: string | undefined; input: unknown }[] = [];
  recording.middlewareStack.add(
    (next, context) => async (args) => {
      inputs.push({ command: context.commandName, input: args.input });
      return next(args);
    },
    { step: "initialize", name: "recordCommands" },
  );
  onTestFinished(() => recording.destroy());
  return { client: recording, inputs };
}

async function listFrom(repository: DynamoDbTodoRepository, limit: number, cursor: string | undefined) {
  const items: Todo[] = [];
  for (let next = cursor; next !== undefined; ) {
    const page = await repository.list({ limit, cursor: next });
    items.push(...page.items);
    next = page.nextCursor;
  }
  return items;
}
