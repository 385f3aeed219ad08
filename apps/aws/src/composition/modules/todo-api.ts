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

// Lambda refuses a synchronous invocation's payload over 6 MB (before API Gateway's 10 MB): CSV uploads over
// HTTP stop below it, base64 included. Larger files go through the bucket.
const LAMBDA_CSV_BYTES = 4 * 1024 * 1024;

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
