import { readConfig, type ServerConfig } from "./config.js";
import { composeServerApp } from "./container.js";
import { startHttpServer } from "./http-server.js";
import { corePortOf, createPino, logStartFailure } from "./logging.js";
import { stopBetweenWrites } from "./stop-between-writes.js";

/** `node dist/main.js`: the todo API on node:http, configured by the environment (see README). */
let config: ServerConfig;
try {
  config = readConfig();
} catch (error) {
  console.error(`server: ${(error as Error).message}`);
  process.exit(1);
}
const logger = createPino(config.logLevel);
// Ctrl-Z must not stop the server while it holds SQLite's write lock, which a `todo import` beside it waits on.
stopBetweenWrites();
let app: Awaited<ReturnType<typeof composeServerApp>>;
let running: Awaited<ReturnType<typeof startHttpServer>>;
try {
  app = await composeServerApp(config, corePortOf(logger));
  running = await startHttpServer(app.api, {
    port: config.port,
    host: config.host,
    logger,
    bodyMinRate: config.bodyMinRate,
    maxConnections: config.maxConnections,
  });
} catch (error) {
  // The port in use, a DATA_DIR that is a file, a database it may not write: one log line, exit 1.
  logStartFailure(logger, error, { port: config.port, host: config.host, dataDir: config.dataDir });
  // pino flushes its destination synchronously on exit: the line is out before the process ends.
  process.exit(1);
}
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  await running.close(config.shutdownTimeoutMs);
  try {
    await app.close();
  } catch (error) {
    // A full disk or a read-only DATA_DIR fails the last checkpoint; every commit is in the database already.
    logger.error({ error }, "closing the store failed");
    process.exitCode = 1;
  }
  logger.info({}, "stopped");
  // The process ends once the log is written: no process.exit at once, whose synchronous flush retries a write
  // to a pipe whose reader has gone (`main.js | head`) for ever, where the loop's own write fails with EPIPE
  // and stops. Unless something still holds the loop (a handler stuck on a store that never answers): then
  // process.exit, by which time a broken pipe has been seen and pino writes nothing more.
  logger.flush();
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

/** How long a stopped server may take to let its last log line out before it exits regardless. */
const EXIT_GRACE_MS = 2_000;
// Listened for before "listening" is said: pino writes that line from another thread, and whoever reads it
// may signal at once. Until a handler is installed, SIGTERM kills the process without a shutdown. The first signal
// removes both handlers: a second one, of either kind (Ctrl-C, then `kill`), kills it at once, the way out of a
// shutdown that waits on something stuck.
const onStopSignal = (signal: NodeJS.Signals) => {
  process.off("SIGINT", onStopSignal).off("SIGTERM", onStopSignal);
  void shutdown(signal);
};
process.on("SIGINT", onStopSignal);
process.on("SIGTERM", onStopSignal);
// DATA_DIR holds only the SQLite store (and its cursor secret): naming it for another store would mislead.
const dataDir = config.store === "sqlite" ? config.dataDir : undefined;
logger.info({ url: running.url, store: config.store, dataDir }, "listening");
