export * from "./csv-import/detect-quote.js";
export * from "./csv-import/errors.js";
export * from "./csv-import/import-command.js";
export * from "./csv-import/import-identity.js";
export * from "./csv-import/import-report.js";
export * from "./csv-import/import-tally.js";
export * from "./csv-import/import-todos.js";
export * from "./csv-import/in-memory-import-ledger.js";
export * from "./csv-import/ports/import-ledger.js";
export * from "./csv-import/ports/object-source.js";
export * from "./csv-import/todo-row-schema.js";
export {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  type CorsOptions,
  corsOriginsFrom,
  isSerializedOrigin,
} from "./http/cors.js";
export * from "./http/create-todo-api.js";
export { errorReply, standaloneErrorReply } from "./http/error-responses.js";
export * from "./http/hello-routes.js";
export * from "./http/http-errors.js";
export * from "./http/http-request.js";
export * from "./http/responses.js";
export * from "./http/serve-routes.js";
export * from "./shared/clock.js";
export * from "./shared/errors.js";
export * from "./shared/guard-store.js";
export * from "./shared/id-generator.js";
export * from "./shared/logger.js";
export * from "./todos/cursor-codec.js";
export * from "./todos/due-date.js";
export * from "./todos/errors.js";
export * from "./todos/in-memory-todo-repository.js";
export * from "./todos/list-position.js";
export * from "./todos/ports/todo-repository.js";
export * from "./todos/text-rules.js";
export * from "./todos/todo.js";
export { type TodoSchemas, todoSchemas } from "./todos/todo-schema.js";
export * from "./todos/use-cases/add-todo.js";
export * from "./todos/use-cases/delete-todo.js";
export * from "./todos/use-cases/get-todo.js";
export * from "./todos/use-cases/list-todos.js";
export * from "./todos/use-cases/update-todo.js";
export * from "./todos/validate.js";
