import { createLambdaHttpHandler } from "@anycloud/adapters-aws/http";
import type { TodoApi } from "@anycloud/core";
import { resolve } from "../composition/container.js";
import { dynamoDbStorage } from "../composition/modules/dynamodb-storage.js";
import { uploadApi } from "../composition/modules/upload-api.js";
import { UPLOAD_API } from "../composition/tokens.js";

/**
 * `POST /todos/import` on DynamoDB: CSV uploads over HTTP, in a function of their own, with the CPU (memory)
 * an import needs and the rights it needs, where the api function has neither.
 */
export const handler = createLambdaHttpHandler(resolve<TodoApi>(UPLOAD_API, [dynamoDbStorage, uploadApi]));
