export { ConfigError, readConfig, type ServerConfig, type StoreKind } from "./config.js";
export { composeServerApp, type ServerApp } from "./container.js";
export { LocalFileObjectSource } from "./files/local-file-object-source.js";
export { type RunningServer, startHttpServer } from "./http-server.js";
export { corePortOf, createPino } from "./logging.js";
