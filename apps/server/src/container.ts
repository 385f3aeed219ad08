import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  CLOCK,
  type Clock,
  createTodoApi,
  ID_GENERATOR,
  type IdGenerator,
  IMPORT_LEDGER,
  type ImportLedger,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  LOGGER,
  type Logger,
  OBJECT_SOURCE,
  type ObjectSource,
  randomIds,
  systemClock,
  TODO_REPOSITORY,
  type TodoApi,
  type TodoRepository,
} from "@anycloud/core";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Container, ContainerModule } from "inversify";
import type { ServerConfig } from "./config.js";
import { loadOrCreateCursorSecret } from "./cursor-secret.js";
import { LocalFileObjectSource } from "./files/local-file-object-source.js";
import {
  closeSqliteDatabase,
  openSqliteDatabase,
  type SqliteDatabase,
  SqliteImportLedger,
  SqliteTodoRepository,
} from "./storage/index.js";
import {
  CURSOR_SECRET,
  DYNAMODB_CLIENT,
  IMPORT_TODOS,
  SERVER_CONFIG,
  SQLITE_CLIENT,
  TODO_API,
} from "./tokens.js";

/** Todos and the import ledger in SQLite under `DATA_DIR`; the cursor secret kept beside them. */
const sqliteStorage = new ContainerModule(({ bind }) => {
  bind<SqliteDatabase>(SQLITE_CLIENT)
    .toResolvedValue(
      (config: ServerConfig) =>
        openSqliteDatabase({ url: pathToFileURL(path.join(config.dataDir, "todos.db")).href }),
      [SERVER_CONFIG],
    )
    .onDeactivation(closeSqliteDatabase);
  bind<TodoRepository>(TODO_REPOSITORY).toResolvedValue(
    (database: SqliteDatabase) => new SqliteTodoRepository(database),
    [SQLITE_CLIENT],
  );
  bind<ImportLedger>(IMPORT_LEDGER).toResolvedValue(
    (database: SqliteDatabase) => new SqliteImportLedger(database),
    [SQLITE_CLIENT],
  );
  bind<string | Uint8Array>(CURSOR_SECRET).toResolvedValue(
    (config: ServerConfig) => config.cursorSecret ?? loadOrCreateCursorSecret(config.dataDir),
    [SERVER_CONFIG],
  );
});

/**
 * DynamoDB, for serving core's API from a VM or a container against the same tables as the Lambda functions.
 * Loaded on demand, so that the SQLite server never loads the AWS SDK.
 */
const dynamoDbStorage = new ContainerModule(async ({ bind }) => {
  const { DynamoDbImportLedger, DynamoDbTodoRepository, dynamoDbClientOf } = await import(
    "@anycloud/adapters-aws/storage"
  );
  bind<DynamoDBClient>(DYNAMODB_CLIENT)
    .toResolvedValue(
      (config: ServerConfig) => dynamoDbClientOf({ endpoint: config.dynamoDb?.endpoint }),
      [SERVER_CONFIG],
    )
    .onDeactivation((client) => client.destroy());
  bind<TodoRepository>(TODO_REPOSITORY).toResolvedValue(
    (client: DynamoDBClient, config: ServerConfig) =>
      new DynamoDbTodoRepository(client, { tableName: config.dynamoDb!.todosTable }),
    [DYNAMODB_CLIENT, SERVER_CONFIG],
  );
  bind<ImportLedger>(IMPORT_LEDGER).toResolvedValue(
    (client: DynamoDBClient, config: ServerConfig) =>
      new DynamoDbImportLedger(client, { tableName: config.dynamoDb!.importsTable }),
    [DYNAMODB_CLIENT, SERVER_CONFIG],
  );
  // Instances behind one load balancer, and one instance across its restarts, must share the secret: without
  // CURSOR_SECRET each process makes its own, which nothing keeps (there is no DATA_DIR here).
  bind<string | undefined>(CURSOR_SECRET).toResolvedValue(
    (config: ServerConfig, logger: Logger) => {
      if (config.cursorSecret === undefined) logger.warn(CURSOR_SECRET_PER_PROCESS);
      return config.cursorSecret;
    },
    [SERVER_CONFIG, LOGGER],
  );
});

const CURSOR_SECRET_PER_PROCESS =
  "CURSOR_SECRET is not set: list cursors are signed with a secret of this process's own, which another " +
  "instance, or this one after a restart, refuses (400 INVALID_CURSOR). Set it to share one.";

/** A throwaway store: everything is lost when the process ends. */
const memoryStorage = new ContainerModule(({ bind }) => {
  bind<TodoRepository>(TODO_REPOSITORY).toResolvedValue(() => new InMemoryTodoRepository());
  bind<ImportLedger>(IMPORT_LEDGER).toResolvedValue(() => new InMemoryImportLedger());
  bind<string | undefined>(CURSOR_SECRET).toResolvedValue(
    (config: ServerConfig) => config.cursorSecret,
    [SERVER_CONFIG],
  );
});

/** The use cases and the HTTP API, on whatever storage is bound. */
const application = new ContainerModule(({ bind }) => {
  bind<Clock>(CLOCK).toConstantValue(systemClock);
  bind<IdGenerator>(ID_GENERATOR).toConstantValue(randomIds);
  bind<ObjectSource>(OBJECT_SOURCE).toResolvedValue(() => new LocalFileObjectSource());
  bind<ImportTodos>(IMPORT_TODOS).toResolvedValue(
    (todos: TodoRepository, ledger: ImportLedger, clock: Clock, logger: Logger, objects: ObjectSource) =>
      new ImportTodos(todos, ledger, clock, logger, objects),
    [TODO_REPOSITORY, IMPORT_LEDGER, CLOCK, LOGGER, OBJECT_SOURCE],
  );
  bind<TodoApi>(TODO_API).toResolvedValue(
    (
      config: ServerConfig,
      todos: TodoRepository,
      imports: ImportLedger,
      clock: Clock,
      ids: IdGenerator,
      logger: Logger,
      cursorSecret: string | Uint8Array | undefined,
    ) =>
      createTodoApi({
        todos,
        imports,
        clock,
        ids,
        logger,
        cursorSecret,
        limits: {
          jsonBytes: config.jsonBodyLimit,
          csvBytes: config.csvBodyLimit,
          heldBytes: config.bodyMemoryLimit,
        },
        importConcurrency: config.importConcurrency,
        cors: { origins: config.corsOrigins },
      }),
    [SERVER_CONFIG, TODO_REPOSITORY, IMPORT_LEDGER, CLOCK, ID_GENERATOR, LOGGER, CURSOR_SECRET],
  );
});

/** What the server and the CLI need, resolved once; `close` releases the store. */
export interface ServerApp {
  api: TodoApi;
  todos: TodoRepository;
  importTodos: ImportTodos;
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** Wraps the store's import ledger before anything gets it (the CLI watches whether an import's end is recorded). */
  decorateLedger?: (ledger: ImportLedger) => ImportLedger;
}

/**
 * The composition root: the one place that knows inversify and chooses implementations from the config.
 * Everything is a singleton resolved here, at start, not per request.
 */
export async function composeServerApp(
  config: ServerConfig,
  logger: Logger,
  { decorateLedger }: ComposeOptions = {},
): Promise<ServerApp> {
  const container = new Container({ defaultScope: "Singleton" });
  container.bind<ServerConfig>(SERVER_CONFIG).toConstantValue(config);
  container.bind<Logger>(LOGGER).toConstantValue(logger);
  if (decorateLedger)
    container.onActivation<ImportLedger>(IMPORT_LEDGER, (_, ledger) => decorateLedger(ledger));
  const storage = { sqlite: sqliteStorage, memory: memoryStorage, dynamodb: dynamoDbStorage }[config.store];
  await container.loadAsync(storage, application);
  // The secret first, on its own: resolved beside the store, a cursor-secret the user must fix was refused only
  // once the database had been created, or its schema moved forward (which the build before then refuses).
  await container.getAsync(CURSOR_SECRET);
  return {
    api: await container.getAsync<TodoApi>(TODO_API),
    todos: await container.getAsync<TodoRepository>(TODO_REPOSITORY),
    importTodos: await container.getAsync<ImportTodos>(IMPORT_TODOS),
    close: () => container.unbindAllAsync(),
  };
}
