import {
  CLOCK,
  type Clock,
  createTodoApiWithoutUploads,
  LOGGER,
  type Logger,
  TODO_REPOSITORY,
  type TodoApi,
  type TodoRepository,
} from "@anycloud/core";
import { ContainerModule } from "inversify";
import type { AwsAppConfig } from "../config.js";
import { AWS_CONFIG, TODO_API } from "../tokens.js";

/** The REST API but CSV uploads, which the importUpload function serves. */
export const todoApi = new ContainerModule(({ bind }) => {
  bind<TodoApi>(TODO_API).toResolvedValue(
    (config: AwsAppConfig, todos: TodoRepository, clock: Clock, logger: Logger) =>
      createTodoApiWithoutUploads({
        todos,
        clock,
        logger,
        cursorSecret: config.cursorSecret,
        cors: { origins: config.corsOrigins },
      }),
    [AWS_CONFIG, TODO_REPOSITORY, CLOCK, LOGGER],
  );
});
