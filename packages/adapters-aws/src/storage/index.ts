export { STORE_BUSY, STORE_REFUSED, WRITE_STOPPED } from "./batch-writer.js";
export { DynamoDbImportLedger, type DynamoDbImportLedgerOptions } from "./dynamodb-import-ledger.js";
export { DynamoDbTodoRepository, type DynamoDbTodoRepositoryOptions } from "./dynamodb-todo-repository.js";
export { DYNAMODB_HTTP_TIMEOUTS, s3HttpTimeouts } from "./http-timeouts.js";
export { S3ObjectSource } from "./s3-object-source.js";
export { dynamoDbClientOf, s3ClientOf } from "./sdk-clients.js";
