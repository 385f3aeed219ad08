import { createS3ImportHandler } from "@anycloud/adapters-aws/triggers";
import { type ImportTodos, LOGGER, type Logger } from "@anycloud/core";
import { compose } from "../composition/container.js";
import { csvImport } from "../composition/modules/csv-import.js";
import { dynamoDbStorage } from "../composition/modules/dynamodb-storage.js";
import { s3Objects } from "../composition/modules/s3-objects.js";
import { IMPORT_TODOS } from "../composition/tokens.js";

/**
 * Exercise 4: a CSV uploaded to the bucket (any `ObjectCreated:*`, suffix `.csv`) is imported into the table.
 * A failed import throws so that Lambda's asynchronous retries run; retries and duplicate deliveries are safe.
 */
const container = compose([dynamoDbStorage, s3Objects, csvImport]);
export const handler = createS3ImportHandler(
  container.get<ImportTodos>(IMPORT_TODOS),
  container.get<Logger>(LOGGER),
);
