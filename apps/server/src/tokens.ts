/** Tokens of the server's own bindings; the ports' tokens are exported by core beside the ports. */
export const SERVER_CONFIG = Symbol.for("anycloud.server.Config");
export const DYNAMODB_CLIENT = Symbol.for("anycloud.server.DynamoDBClient");
export const SQLITE_CLIENT = Symbol.for("anycloud.server.SqliteClient");
export const CURSOR_SECRET = Symbol.for("anycloud.server.CursorSecret");
export const TODO_API = Symbol.for("anycloud.server.TodoApi");
export const IMPORT_TODOS = Symbol.for("anycloud.server.ImportTodos");
