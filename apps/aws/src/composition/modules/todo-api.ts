import {
  CLOCK,
  type Clock,
  createTodoApi,
  IMPORT_LEDGER,
  type ImportLedger,
  LOGGER,
  type Logger,
  TODO_REPOSITORY,
  type TodoApi,
  type TodoRepository,
} from "@anycloud/core";
import { ContainerModule } from "inversify";
import type { AwsAppConfig } from "../config.js";
import { AWS_CONFIG, TODO_API } from "../tokens.js";

// An upload over HTTP is imported while API Gateway waits, 30 s at most (the api function's timeout is 29 s).
// On the local loop (DynamoDB Local, 2 shared cores), 1.2 MB of the workshop's rows took 5.7 s and 4 MiB 17 s.
// Larger files go through the bucket, where csvImport has 15 minutes.
const LAMBDA_CSV_BYTES = 1024 * 1024;

/** The whole REST API, CSV uploads included. */
export const todoApi = new ContainerModule(({ bind }) => {
  bind<TodoApi>(TODO_API).toResolvedValue(
    (config: AwsAppConfig, todos: TodoRepository, imports: ImportLedger, clock: Clock, logger: Logger) =>
      createTodoApi({
        todos,
        imports,
        clock,
        logger,
        cursorSecret: config.cursorSecret,
        limits: { csvBytes: LAMBDA_CSV_BYTES },
      }),
    [AWS_CONFIG, TODO_REPOSITORY, IMPORT_LEDGER, CLOCK, LOGGER],
  );
});
