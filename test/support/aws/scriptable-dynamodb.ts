import type { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { dynamoDbClientFor } from "./aws-clients.js";
import { type DynamoDbStandIn, startDynamoDb } from "./dynamodb-stand-in.js";
import { createTables, uniqueTableName } from "./dynamodb-tables.js";

/**
 * The DynamoDB stand-in for a describe block whose tests script the SDK's transport (a custom
 * `requestHandler`): started once, fresh tables for each test (`todos`, and `imports` when asked), dropped
 * after it, with the clients made by `client` destroyed then too.
 */
export function useScriptableDynamoDb(prefixes: { todos: string; imports?: string }) {
  let standIn: DynamoDbStandIn;
  let plain: DynamoDBClient;
  let tables: { todos: string; imports: string };
  let drop: () => Promise<void>;
  const clients: DynamoDBClient[] = [];

  beforeAll(async () => {
    standIn = await startDynamoDb();
    plain = dynamoDbClientFor(standIn.endpoint);
  });
  afterAll(async () => {
    plain?.destroy();
    await standIn?.stop();
  });
  beforeEach(async () => {
    tables = {
      todos: uniqueTableName(prefixes.todos),
      imports: uniqueTableName(prefixes.imports ?? "imports"),
    };
    ({ drop } = await createTables(plain, prefixes.imports ? tables : { todos: tables.todos }));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await drop();
  });

  return {
    /** A client with the SDK's own transport. */
    get plain(): DynamoDBClient {
      return plain;
    },
    get tables(): { todos: string; imports: string } {
      return tables;
    },
    /** A client of the stand-in with `config` (a `requestHandler`, `maxAttempts`...). */
    client(config: DynamoDBClientConfig): DynamoDBClient {
      const client = dynamoDbClientFor(standIn.endpoint, config);
      clients.push(client);
      return client;
    },
  };
}
