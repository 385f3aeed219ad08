import {
  DynamoDbImportLedger,
  DynamoDbTodoRepository,
  dynamoDbClientOf,
} from "@anycloud/adapters-aws/storage";
import { IMPORT_LEDGER, type ImportLedger, TODO_REPOSITORY, type TodoRepository } from "@anycloud/core";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ContainerModule } from "inversify";
import type { AwsAppConfig } from "../config.js";
import { AWS_CONFIG, DYNAMODB_CLIENT } from "../tokens.js";

/** Todos and the import ledger in DynamoDB. */
export const dynamoDbStorage = new ContainerModule(({ bind }) => {
  bind<DynamoDBClient>(DYNAMODB_CLIENT).toResolvedValue(
    (config: AwsAppConfig) => dynamoDbClientOf({ endpoint: config.dynamoDbEndpoint }),
    [AWS_CONFIG],
  );
  bind<TodoRepository>(TODO_REPOSITORY).toResolvedValue(
    (client: DynamoDBClient, config: AwsAppConfig) =>
      new DynamoDbTodoRepository(client, { tableName: config.todosTable }),
    [DYNAMODB_CLIENT, AWS_CONFIG],
  );
  bind<ImportLedger>(IMPORT_LEDGER).toResolvedValue(
    (client: DynamoDBClient, config: AwsAppConfig) =>
      new DynamoDbImportLedger(client, { tableName: config.importsTable }),
    [DYNAMODB_CLIENT, AWS_CONFIG],
  );
});
