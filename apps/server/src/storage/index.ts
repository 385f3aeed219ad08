export {
  closeSqliteDatabase,
  openSqliteDatabase,
  SQLITE_SCHEMA_VERSION,
  type SqliteDatabase,
  type SqliteDatabaseOptions,
} from "./sqlite-database.js";
export { SqliteImportLedger } from "./sqlite-import-ledger.js";
export { SqliteTodoRepository } from "./sqlite-todo-repository.js";
