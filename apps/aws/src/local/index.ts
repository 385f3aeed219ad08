export {
  type AsyncInvocations,
  asyncInvocations,
  LAMBDA_RETRY_DELAYS_MS,
} from "./async-invocations.js";
export { type CsvUploads, csvUploadsListener } from "./csv-uploads.js";
export { startDynalite } from "./dynalite-server.js";
export { javaWorks, startDynamoDbLocal } from "./dynamodb-local-process.js";
export { createTables, type TableNames, uniqueTableName } from "./dynamodb-tables.js";
export {
  bundleOf,
  CSV_UPLOADS,
  DEFAULT_ROUTE,
  FUNCTIONS,
  type FunctionName,
  type FunctionSettings,
  HTTP_ROUTES,
  type HttpRoute,
  isFunctionName,
  matchRoute,
  type RouteMatch,
} from "./functions.js";
export {
  httpApiEventFrom,
  responseFromResult,
  type WireRequest,
  type WireResponse,
} from "./http-api-event.js";
export { type LocalHttpServer, startLocalHttpServer } from "./local-http-server.js";
export {
  type LambdaHandler,
  type LoadFunction,
  LocalLambdas,
  MAX_RESULT_BYTES,
  ResultTooLargeError,
} from "./local-lambdas.js";
export {
  type LocalDynamoDbKind,
  type LocalLoop,
  type LocalLoopOptions,
  type LocalPortOption,
  PortsTakenError,
  startLocalLoop,
} from "./local-loop.js";
export { type LocalServer, PortTakenError } from "./local-server.js";
export { encodeS3EventKey, normaliseS3rverRecord } from "./s3-events.js";
export { startS3rver } from "./s3rver-process.js";
