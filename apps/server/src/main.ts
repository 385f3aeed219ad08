import { readConfig, type ServerConfig } from "./config.js";
import { composeServerApp } from "./container.js";
import { startHttpServer } from "./http-server.js";
import { corePortOf, createPino } from "./logging.js";

/** `node dist/main.js`: the todo API on node:http, configured by the environment (see README). */
let config: ServerConfig;
try {
  config = readConfig();
} catch (error) {
  console.error(`server: ${(error as Error).message}`);
  process.exit(1);
}
const logger = createPino(config.logLevel);
const app = await composeServerApp(config, corePortOf(logger));
const running = await startHttpServer(app.api, { port: config.port, host: config.host, logger });
logger.info({ url: running.url, store: config.store, dataDir: config.dataDir }, "listening");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  await running.close(config.shutdownTimeoutMs);
  await app.close();
  logger.info({}, "stopped");
  logger.flush(() => process.exit(0));
}
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
