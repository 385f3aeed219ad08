import { randomBytes } from "node:crypto";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";

export interface TableNames {
  /** Hash key `id` (S), for `DynamoDbTodoRepository`. */
  todos?: string;
  /** Hash key `importId` (S), for `DynamoDbImportLedger`. */
  imports?: string;
}

/** Names no other test file (or earlier run against a shared endpoint) uses: `<prefix>-<random>`. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}

/**
 * Creates the named tables (on-demand capacity) and waits until they are ACTIVE. `drop` deletes them.
 *
 * @example
 * const tables = await createTables(client, { todos: uniqueTableName("todos") });
 * afterAll(() => tables.drop());
 */
export async function createTables(
  client: DynamoDBClient,
  names: TableNames,
): Promise<{ drop(): Promise<void> }> {
  const keys = [
    ...(names.todos ? [[names.todos, "id"] as const] : []),
    ...(names.imports ? [[names.imports, "importId"] as const] : []),
  ];
  await Promise.all(
    keys.map(async ([tableName, hashKey]) => {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: "S" }],
          KeySchema: [{ AttributeName: hashKey, KeyType: "HASH" }],
        }),
      );
      await waitUntilActive(client, tableName);
    }),
  );
  return {
    drop: async () => {
      await Promise.all(
        keys.map(([tableName]) => client.send(new DeleteTableCommand({ TableName: tableName }))),
      );
    },
  };
}

// The SDK's waiter polls every 20 s at least; stand-ins are ACTIVE in milliseconds.
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let polls = 0; polls < 600; polls++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE.`);
}
