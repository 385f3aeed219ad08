import {
  CLOCK,
  type Clock,
  createUploadApi,
  IMPORT_LEDGER,
  type ImportLedger,
  LOGGER,
  type Logger,
  TODO_REPOSITORY,
  type TodoApi,
  type TodoRepository,
} from "@anycloud/core";
import { ContainerModule } from "inversify";
import { UPLOAD_API } from "../tokens.js";

// An upload over HTTP is imported while API Gateway waits, 30 s at most (the importUpload function's timeout is
// 29 s). On the local loop (DynamoDB Local, 2 shared cores), 1.2 MB of the workshop's rows took 5.7 s and 4 MiB
// 17 s. Larger files go through the bucket, where csvImport has 15 minutes.
const LAMBDA_CSV_BYTES = 1024 * 1024;

/** `POST /todos/import`: CSV uploads over HTTP. */
export const uploadApi = new ContainerModule(({ bind }) => {
  bind<TodoApi>(UPLOAD_API).toResolvedValue(
    (todos: TodoRepository, imports: ImportLedger, clock: Clock, logger: Logger) =>
      createUploadApi({ todos, imports, clock, logger, limits: { csvBytes: LAMBDA_CSV_BYTES } }),
    [TODO_REPOSITORY, IMPORT_LEDGER, CLOCK, LOGGER],
  );
});
