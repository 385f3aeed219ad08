import { createLambdaHttpHandler } from "@anycloud/adapters-aws/http";
import type { TodoApi } from "@anycloud/core";
import { resolve } from "../composition/container.js";
import { dynamoDbStorage } from "../composition/modules/dynamodb-storage.js";
import { workshopTodoApi } from "../composition/modules/workshop-todo-api.js";
import { WORKSHOP_TODO_API } from "../composition/tokens.js";

/** Exercise 3: `POST /todo/add` (function addTodo) and `GET /todo/list` (function listTodo) on DynamoDB. */
export const handler = createLambdaHttpHandler(
  resolve<TodoApi>(WORKSHOP_TODO_API, [dynamoDbStorage, workshopTodoApi]),
);
