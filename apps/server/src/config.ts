import path from "node:path";
import { DEFAULT_BODY_LIMITS } from "@anycloud/core";

export type StoreKind = "sqlite" | "memory";

export interface ServerConfig {
  port: number;
  host: string;
  /** Where the SQLite database (and the generated cursor secret) live. */
  dataDir: string;
  store: StoreKind;
  /** Signs list cursors. When absent: generated once and kept in `dataDir` (SQLite), or per process (memory). */
  cursorSecret: string | undefined;
  jsonBodyLimit: number;
  csvBodyLimit: number;
  logLevel: string;
  /** How long a shutdown waits for requests in flight before closing their connections. */
  shutdownTimeoutMs: number;
}

/** Thrown for a setting that cannot be used, naming the variable. */
export class ConfigError extends Error {}

/** Reads the server's settings from the environment; every variable is optional. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: integer(env, "PORT", 3000, 0, 65_535),
    host: env.HOST || "127.0.0.1",
    dataDir: path.resolve(env.DATA_DIR || ".data"),
    store: storeKind(env.TODO_STORE),
    cursorSecret: env.CURSOR_SECRET || undefined,
    jsonBodyLimit: integer(env, "JSON_BODY_LIMIT", DEFAULT_BODY_LIMITS.jsonBytes, 1, 10 * 1024 * 1024),
    csvBodyLimit: integer(env, "CSV_BODY_LIMIT", DEFAULT_BODY_LIMITS.csvBytes, 1, 1024 * 1024 * 1024),
    logLevel: env.LOG_LEVEL || "info",
    shutdownTimeoutMs: integer(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
  };
}

function storeKind(value: string | undefined): StoreKind {
  const kind = value || "sqlite";
  if (kind !== "sqlite" && kind !== "memory")
    throw new ConfigError(`TODO_STORE must be sqlite or memory, not "${value}".`);
  return kind;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${text}".`);
  }
  return value;
}
