// A retried import's writes on the DynamoDB stand-in: DynamoDbTodoRepository.putMany(todos, { keepExisting })
// with half of the ids already stored (what an import's earlier attempt left), against one conditional PutItem
// per todo, 32 in flight (what such a retry did before it read which ids were stored), in the same run, into
// fresh tables. Reports rows/s and this process's CPU per row (the importer's cost; the stand-in's is apart).
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
const { PutItemCommand } = createRequire(path.join(root, "apps/aws/package.json"))(
  "@aws-sdk/client-dynamodb",
);

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

const results = { ours: [], baseline: [] };
try {
  for (let run = 1; run <= runs; run++) {
    const order = run % 2 ? ["ours", "baseline"] : ["baseline", "ours"];
    for (const who of order) {
      const tables = { todos: uniqueTableName("retry-todos"), imports: uniqueTableName("retry-imports") };
      const { drop } = await createTables(client, tables);
      const repository = new DynamoDbTodoRepository(client, { tableName: tables.todos });
      const todos = todosOf(run * 2 + (who === "ours" ? 0 : 1));
      await repository.putMany(todos.filter((_, index) => index % 2 === 0));
      const cpu = process.cpuUsage();
      const started = performance.now();
      if (who === "ours") {
        const { failed } = await repository.putMany(todos, { keepExisting: true });
        if (failed.length > 0) throw new Error(`${failed.length} todos failed`);
      } else await putEachIfAbsent(tables.todos, todos);
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      results[who].push({ rate: rows / seconds, cpuMsPerRow: (used.user + used.system) / 1000 / rows });
      console.log(
        `run ${run} ${who === "ours" ? "putMany(keepExisting)" : "PutItem each"}: ${fmt(rows / seconds)} rows/s, ${fmt(results[who].at(-1).cpuMsPerRow, 3)} ms CPU/row`,
      );
      await drop();
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
