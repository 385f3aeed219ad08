import {
  CLOCK,
  type Clock,
  createWorkshopTodoApi,
  LOGGER,
  type Logger,
  TODO_REPOSITORY,
  type TodoApi,
  type TodoRepository,
} from "@anycloud/core";
import { ContainerModule } from "inversify";
import type { AwsAppConfig } from "../config.js";
import { AWS_CONFIG, WORKSHOP_TODO_API } from "../tokens.js";

/** `POST /todo/add` and `GET /todo/list`, the workshop's exercise 3. */
export const workshopTodoApi = new ContainerModule(({ bind }) => {
  bind<TodoApi>(WORKSHOP_TODO_API).toResolvedValue(
    (config: AwsAppConfig, todos: TodoRepository, clock: Clock, logger: Logger) =>
      createWorkshopTodoApi({ todos, clock, logger, cursorSecret: config.cursorSecret }),
    [AWS_CONFIG, TODO_REPOSITORY, CLOCK, LOGGER],
  );
});
