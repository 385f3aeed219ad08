import { DynamoDbImportLedger, DynamoDbTodoRepository } from "@anycloud/adapters-aws/storage";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describeImportLedgerContract } from "../../contracts/import-ledger.contract.js";
import { describeTodoRepositoryContract } from "../../contracts/todo-repository.contract.js";
import { createTables, uniqueTableName } from "./dynamodb-tables.js";

/**
 * The stores' contracts on the DynamoDB `client` talks to (`on`: which one, for the suites' names). Each test,
 * and each run of the random checks, gets fresh, empty tables, dropped after it. A table a run and a round trip
 * a call: fewer random runs than the stores on this machine's disk or memory make.
 */
export function describeDynamoDbContracts(on: string, client: DynamoDBClient): void {
  describeTodoRepositoryContract(
    `DynamoDbTodoRepository on ${on}`,
    async () => {
      const tableName = uniqueTableName("todos");
      const tables = await createTables(client, { todos: tableName });
      return { repository: new DynamoDbTodoRepository(client, { tableName }), dispose: tables.drop };
    },
    { modelRuns: 100 },
  );
  describeImportLedgerContract(
    `DynamoDbImportLedger on ${on}`,
    async () => {
      const tableName = uniqueTableName("imports");
      const tables = await createTables(client, { imports: tableName });
      return { ledger: new DynamoDbImportLedger(client, { tableName }), dispose: tables.drop };
    },
    { referenceRuns: 100 },
  );
}
