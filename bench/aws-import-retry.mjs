// A retried import's writes on the DynamoDB stand-in: DynamoDbTodoRepository.putMany(todos, { keepExisting })
// with half of the ids already stored (what an import's earlier attempt left), against one conditional PutItem
// per todo, 32 in flight (what such a retry did before it read which ids were stored), in the same run, into
// fresh tables. Reports rows/s and this process's CPU per row (the importer's cost; the stand-in's is apart).
// One uncounted warm-up round first; after each side, the table is read back: every todo stored once, and the
// ones stored before kept as they were.
// Usage: pnpm build && node bench/aws-import-retry.mjs [runs=3] [rows=10000]
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTables, dynamoDbClientFor, startDynamoDb, uniqueTableName } from "./aws-stand-ins.mjs";
import { fmt, median } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 3);
const rows = Number(process.argv[3] ?? 10_000);
const storage = path.join(root, "packages/adapters-aws/dist/storage");
const { DynamoDbTodoRepository } = await import(path.join(storage, "index.js"));
const { todoToItem } = await import(path.join(storage, "todo-item.js"));
const { PutItemCommand, ScanCommand } = createRequire(path.join(root, "apps/aws/package.json"))(
  "@aws-sdk/client-dynamodb",
);
const STORED_BEFORE = "stored before";

const dynamo = await startDynamoDb();
const client = dynamoDbClientFor(dynamo.endpoint);
const now = new Date().toISOString();
const todosOf = (run) =>
  Array.from({ length: rows }, (_, index) => ({
    id: `00000000-0000-8000-8000-${String(run * 1e9 + index).padStart(12, "0")}`,
    task: `imported todo ${index}`,
    name: "Bench",
    dueDate: "2026-12-01",
    checked: false,
    createdAt: now,
    updatedAt: now,
    version: 1,
  }));

/** The retry as it was: each todo put alone, where its id is free. */
async function putEachIfAbsent(tableName, todos) {
  let next = 0;
  const worker = async () => {
    while (next < todos.length) {
      const todo = todos[next++];
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: todoToItem(todo),
            ConditionExpression: "attribute_not_exists(id)",
          }),
        );
      } catch (error) {
        if (error.name !== "ConditionalCheckFailedException") throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/** Each stored todo's task, by id. */
async function storedTasks(tableName) {
  const tasks = new Map();
  let ExclusiveStartKey;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey, ProjectionExpression: "id, task" }),
    );
    for (const item of page.Items ?? []) tasks.set(item.id.S, item.task.S);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return tasks;
}

/** Throws unless the table holds every todo once, those stored before as they were and the others as written. */
async function checkStored(tableName, todos, who) {
  const tasks = await storedTasks(tableName);
  if (tasks.size !== todos.length) throw new Error(`${who}: ${tasks.size} todos stored, not ${todos.length}`);
  todos.forEach((todo, index) => {
    const expected = index % 2 === 0 ? STORED_BEFORE : todo.task;
    if (tasks.get(todo.id) !== expected) throw new Error(`${who}: ${todo.id} holds "${tasks.get(todo.id)}"`);
  });
}

const results = { ours: [], baseline: [] };
try {
  // Run 0 warms the stand-in and this process up, and is not counted.
  for (let run = 0; run <= runs; run++) {
    const order = run % 2 ? ["ours", "baseline"] : ["baseline", "ours"];
    for (const who of order) {
      const tables = { todos: uniqueTableName("retry-todos"), imports: uniqueTableName("retry-imports") };
      const { drop } = await createTables(client, tables);
      const repository = new DynamoDbTodoRepository(client, { tableName: tables.todos });
      const todos = todosOf(run * 2 + (who === "ours" ? 0 : 1));
      await repository.putMany(
        todos.filter((_, index) => index % 2 === 0).map((todo) => ({ ...todo, task: STORED_BEFORE })),
      );
      const cpu = process.cpuUsage();
      const started = performance.now();
      if (who === "ours") {
        const { failed } = await repository.putMany(todos, { keepExisting: true });
        if (failed.length > 0) throw new Error(`${failed.length} todos failed`);
      } else await putEachIfAbsent(tables.todos, todos);
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      await checkStored(tables.todos, todos, who);
      await drop();
      const result = { rate: rows / seconds, cpuMsPerRow: (used.user + used.system) / 1000 / rows };
      if (run > 0) results[who].push(result);
      console.log(
        `${run === 0 ? "warm-up" : `run ${run}`} ${who === "ours" ? "putMany(keepExisting)" : "PutItem each"}: ${fmt(result.rate)} rows/s, ${fmt(result.cpuMsPerRow, 3)} ms CPU/row`,
      );
    }
  }
} finally {
  client.destroy();
  await dynamo.stop();
}

const med = (who, key) => median(results[who].map((result) => result[key]));
console.log(`\n${dynamo.kind}, ${rows} rows (half stored), ${runs} runs, medians:`);
console.log(
  `rows/s: putMany(keepExisting) ${fmt(med("ours", "rate"))} vs PutItem each ${fmt(med("baseline", "rate"))}, ${fmt(med("ours", "rate") / med("baseline", "rate"), 2)}x`,
);
console.log(
  `CPU/row: ${fmt(med("ours", "cpuMsPerRow"), 3)} ms vs ${fmt(med("baseline", "cpuMsPerRow"), 3)} ms, ${fmt(med("baseline", "cpuMsPerRow") / med("ours", "cpuMsPerRow"), 1)}x less`,
);
