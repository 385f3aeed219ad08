// The stores' contracts on dynalite, the stand-in the tests fall back to on a machine without Java or a container
// runtime: whichever stand-in the other AWS tests picked here, the fallback must hold the same contract, or a
// machine without Java would fail for the stand-in's sake rather than the code's.
import { DynamoDbImportLedger, DynamoDbTodoRepository } from "@anycloud/adapters-aws/storage";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll } from "vitest";
import { describeImportLedgerContract } from "../contracts/import-ledger.contract.js";
import { describeTodoRepositoryContract } from "../contracts/todo-repository.contract.js";
import { dynamoDbClientFor } from "../support/aws/aws-clients.js";
import { type DynamoDbStandIn, startDynamoDb } from "../support/aws/dynamodb-stand-in.js";
import { createTables, uniqueTableName } from "../support/aws/dynamodb-tables.js";

const standIn: DynamoDbStandIn = await startDynamoDb({ kind: "dynalite" });
const client: DynamoDBClient = dynamoDbClientFor(standIn.endpoint);

afterAll(async () => {
  client.destroy();
  await standIn.stop();
});

describeTodoRepositoryContract(
  "DynamoDbTodoRepository on dynalite (the fallback)",
  async () => {
    const tableName = uniqueTableName("todos");
    const tables = await createTables(client, { todos: tableName });
    return { repository: new DynamoDbTodoRepository(client, { tableName }), dispose: tables.drop };
  },
  // A table a run, and a round trip a call: fewer runs.
  { modelRuns: 100 },
);

describeImportLedgerContract(
  "DynamoDbImportLedger on dynalite (the fallback)",
  async () => {
    const tableName = uniqueTableName("imports");
    const tables = await createTables(client, { imports: tableName });
    return { ledger: new DynamoDbImportLedger(client, { tableName }), dispose: tables.drop };
  },
  { referenceRuns: 100 },
);
