import {
  DYNAMODB_HTTP_TIMEOUTS,
  DynamoDbImportLedger,
  DynamoDbTodoRepository,
} from "@anycloud/adapters-aws/storage";
import { IMPORT_LEDGER, type ImportLedger, TODO_REPOSITORY, type TodoRepository } from "@anycloud/core";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ContainerModule } from "inversify";
import type { AwsAppConfig } from "../config.js";
import { AWS_CONFIG, DYNAMODB_CLIENT } from "../tokens.js";

/** Todos and the import ledger in DynamoDB. */
export const dynamoDbStorage = new ContainerModule(({ bind }) => {
  bind<DynamoDBClient>(DYNAMODB_CLIENT).toResolvedValue(
    (config: AwsAppConfig) =>
      new DynamoDBClient({
        requestHandler: DYNAMODB_HTTP_TIMEOUTS,
        ...(config.dynamoDbEndpoint && { endpoint: config.dynamoDbEndpoint }),
      }),
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
