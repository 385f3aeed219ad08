#!/usr/bin/env node
import { StoreUnavailableError } from "@anycloud/core";
import { closingStore } from "./cli/closing-store.js";
import { type Command, commandOf, parseCommandLine, USAGE, UsageError } from "./cli/command-line.js";
import { exitStatusOf } from "./cli/exit-status.js";
import { importFile } from "./cli/import-file.js";
import { LedgerWatch } from "./cli/ledger-watch.js";
import { listTodos } from "./cli/list-todos.js";
import { withTriggerQuotes } from "./cli/trigger-quotes.js";
import { ConfigError, readConfig, type ServerConfig } from "./config.js";
import { composeServerApp, type ServerApp } from "./container.js";
import { corePortOf, createPino } from "./logging.js";
import { stopBetweenWrites } from "./stop-between-writes.js";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // The command is checked before the store is opened: a typo neither creates DATA_DIR nor waits on a store.
  const command = commandOf(positionals, values);
  const config = readConfig();
  if (config.store === "memory") {
    // Useful as a dry run (the report says what a file would import), but nothing survives the command.
    console.error("todo: TODO_STORE=memory: the store lives in this process only, and is gone when it ends.");
  }
  // The CLI's stdout is for results, and it says on stderr itself what went wrong, in one line: core's JSON
  // log lines (with stacks) only when LOG_LEVEL asks for them.
  const logger = createPino(process.env.LOG_LEVEL || "silent", 2);
  // Ctrl-Z must not stop the command while it holds SQLite's write lock, which the server beside it waits on.
  stopBetweenWrites();
  const ledger = new LedgerWatch();
  const app = await openStore(config, logger, ledger);
  return closingStore(app, () =>
    command.name === "import" ? importFile(app, command, config, ledger) : list(app, command),
  );
}

/**
 * The composed app. A store that cannot be opened for what DATA_DIR is (a file, not writable, not a database)
 * is a setting (exit 2); one busy or locked by another process is unavailable (exit 1); anything else is a
 * bug, and goes on whole.
 */
async function openStore(
  config: ServerConfig,
  logger: ReturnType<typeof createPino>,
  ledger: LedgerWatch,
): Promise<ServerApp> {
  try {
    return await composeServerApp(config, corePortOf(logger), {
      decorateLedger: (store) => ledger.watch(withTriggerQuotes(store)),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof ConfigError || typeof code !== "string") throw error;
    const reason = (error as Error).message;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
      throw new StoreUnavailableError(`The ${config.store} store is busy.`, { cause: error });
    }
    const where = config.store === "sqlite" ? ` in DATA_DIR=${config.dataDir}` : "";
    throw new ConfigError(`cannot open the ${config.store} store${where}: ${reason}`, { cause: error });
  }
}

async function list(app: ServerApp, { limit, json }: Extract<Command, { name: "list" }>): Promise<number> {
  await listTodos(app.todos, process.stdout, { json, ...(limit !== undefined && { limit }) });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = exitStatusOf(error);
    console.error(known ? `todo: ${known.message}` : error);
    if (error instanceof UsageError && error.showUsage) console.error(USAGE);
    process.exitCode = known?.code ?? 1;
  },
);
