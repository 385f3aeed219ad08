import { createLambdaHttpHandler } from "@anycloud/adapters-aws/http";
import type { TodoApi } from "@anycloud/core";
import { resolve } from "../composition/container.js";
import { dynamoDbStorage } from "../composition/modules/dynamodb-storage.js";
import { todoApi } from "../composition/modules/todo-api.js";
import { TODO_API } from "../composition/tokens.js";

/** The REST API (`/todos`, `/todos/{id}`, `/health`) on DynamoDB; `POST /todos/import` is importUpload's. */
export const handler = createLambdaHttpHandler(resolve<TodoApi>(TODO_API, [dynamoDbStorage, todoApi]));
