import path from "node:path";
import { corsOriginsFrom, DEFAULT_BODY_LIMITS, DEFAULT_IMPORT_CONCURRENCY } from "@anycloud/core";
import { DEFAULT_BODY_MIN_RATE, DEFAULT_MAX_CONNECTIONS } from "./server-limits.js";

export type StoreKind = "sqlite" | "memory" | "dynamodb";

export interface ServerConfig {
  port: number;
  host: string;
  /** Where the SQLite database (and the generated cursor secret) live. */
  dataDir: string;
  store: StoreKind;
  /**
   * Signs list cursors. When absent: generated once and kept in `dataDir` (SQLite), or per process (memory,
   * DynamoDB).
   */
  cursorSecret: string | undefined;
  jsonBodyLimit: number;
  csvBodyLimit: number;
  /** The bytes of JSON bodies, and as many of CSV uploads, read whole that the server holds at once. */
  bodyMemoryLimit: number;
  /** The most uploads the server imports at once. */
  importConcurrency: number;
  /**
   * The bytes a second a request body must average over the time the server waits for it, past its first 60 s
   * (0: no minimum).
   */
  bodyMinRate: number;
  /** The most connections the server keeps open at once. */
  maxConnections: number;
  logLevel: string;
  /** How long a shutdown waits for requests in flight before closing their connections. */
  shutdownTimeoutMs: number;
  /** With TODO_STORE=dynamodb: the tables (and a local endpoint such as DynamoDB Local). */
  dynamoDb: { todosTable: string; importsTable: string; endpoint: string | undefined } | undefined;
  /** For `todo import s3://bucket/key`: a local S3 endpoint (s3rver, LocalStack); AWS otherwise. */
  s3Endpoint: string | undefined;
  /** The origins whose pages may call the API (CORS), or `["*"]` for any; none (CORS off) by default. */
  corsOrigins: string[];
}

/** Thrown for a setting that cannot be used, naming the variable. */
export class ConfigError extends Error {}

/** Reads the server's settings from the environment; every variable is optional. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const store = storeKind(env.TODO_STORE);
  return {
    port: integer(env, "PORT", 3000, 0, 65_535),
    host: host(env.HOST),
    dataDir: dataDir(env.DATA_DIR, store),
    store,
    cursorSecret: cursorSecret(env.CURSOR_SECRET),
    jsonBodyLimit: integer(env, "JSON_BODY_LIMIT", DEFAULT_BODY_LIMITS.jsonBytes, 1, 10 * 1024 * 1024),
    csvBodyLimit: integer(env, "CSV_BODY_LIMIT", DEFAULT_BODY_LIMITS.csvBytes, 1, 1024 * 1024 * 1024),
    bodyMemoryLimit: integer(env, "BODY_MEMORY_LIMIT", DEFAULT_BODY_LIMITS.heldBytes, 1, 16 * 1024 ** 3),
    importConcurrency: integer(env, "IMPORT_CONCURRENCY", DEFAULT_IMPORT_CONCURRENCY, 1, 1000),
    bodyMinRate: integer(env, "BODY_MIN_RATE", DEFAULT_BODY_MIN_RATE, 0, 1024 * 1024),
    maxConnections: integer(env, "MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
    logLevel: logLevel(env.LOG_LEVEL),
    shutdownTimeoutMs: integer(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    dynamoDb: store === "dynamodb" ? dynamoDbTables(env) : undefined,
    s3Endpoint: endpoint("S3_ENDPOINT", env.S3_ENDPOINT, "http://127.0.0.1:4568"),
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
  };
}

function dynamoDbTables(env: NodeJS.ProcessEnv): NonNullable<ServerConfig["dynamoDb"]> {
  const todosTable = env.TODOS_TABLE;
  const importsTable = env.IMPORTS_TABLE;
  if (!todosTable || !importsTable) {
    throw new ConfigError("TODO_STORE=dynamodb needs TODOS_TABLE and IMPORTS_TABLE (the tables' names).");
  }
  return {
    todosTable: tableName("TODOS_TABLE", todosTable),
    importsTable: tableName("IMPORTS_TABLE", importsTable),
    endpoint: endpoint("DYNAMODB_ENDPOINT", env.DYNAMODB_ENDPOINT, "http://127.0.0.1:8000"),
  };
}

/**
 * A table's name as DynamoDB takes it: 3 to 255 of letters, digits, `_`, `-` and `.` (its naming rules). DynamoDB
 * refuses any other (`ValidationException`) only once a request is sent: `TODOS_TABLE="todos "` started a server
 * that answered every todo route, and `/ready`, 503 `STORE_UNAVAILABLE`. A table's ARN, which DynamoDB takes too,
 * is refused with the rest: the README asks for names, and the stores were never tried with one.
 */
function tableName(name: string, value: string): string {
  if (/^[\w.-]{3,255}$/.test(value)) return value;
  throw new ConfigError(
    `${name} must be a DynamoDB table's name (3 to 255 letters, digits, _, - or .), not "${value}".`,
  );
}

/**
 * A local stand-in's address for the AWS SDK: an http(s) URL of a host. The SDK takes anything, and fails only
 * when a request is sent: `localhost:8000` as "UnknownError", a port out of range as "Invalid URL", a path as
 * a missing bucket, on every request of a server that started as if all were well. Credentials in it are not
 * the SDK's (they come from its chain), and are not repeated in the message.
 */
function endpoint(name: string, value: string | undefined, example: string): string | undefined {
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const usable =
    url !== undefined &&
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.hostname !== "" &&
    url.username === "" &&
    url.password === "" &&
    url.pathname === "/" &&
    url.search === "" &&
    url.hash === "";
  if (usable) return value;
  // A value the URL parser refuses (a port out of range) or reads otherwise (no scheme: `key:secret@host` is a
  // scheme and a path) may hold credentials too: everything up to its last `@` is left out.
  const shown =
    url && (url.username || url.password)
      ? `${url.protocol}//…@${url.host}${url.pathname}`
      : value.replace(/^([a-z][a-z\d+.-]*:\/\/)?.*@/is, "$1…@");
  throw new ConfigError(
    `${name} must be an http:// or https:// URL of a host, such as ${example} (no path, query or credentials), not "${shown}".`,
  );
}

/**
 * Taken from the working directory when relative. A `~` is expanded by a shell only, and not where a process
 * manager or a container's env file sets the variable: `DATA_DIR=~/todos` made a directory named `~` in the working
 * directory and kept the todos there, where nobody would look; blanks around a path named another directory.
 * Checked for the store that uses it only.
 */
function dataDir(value: string | undefined, store: StoreKind): string {
  const directory = value || ".data";
  if (store === "sqlite" && (directory.startsWith("~") || directory.trim() !== directory)) {
    throw new ConfigError(
      `DATA_DIR must be a path that does not start with ~ (which only a shell expands), with no blanks around it, not "${directory}".`,
    );
  }
  return path.resolve(directory);
}

function storeKind(value: string | undefined): StoreKind {
  const kind = value || "sqlite";
  if (kind !== "sqlite" && kind !== "memory" && kind !== "dynamodb") {
    throw new ConfigError(`TODO_STORE must be sqlite, memory or dynamodb, not "${value}".`);
  }
  return kind;
}

/** The levels pino knows: anything else makes pino throw at start, with a message that names no variable. */
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function logLevel(value: string | undefined): string {
  if (!value) return "info";
  if (!LOG_LEVELS.includes(value)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not "${value}".`);
  }
  return value;
}

function host(value: string | undefined): string {
  if (!value) return "127.0.0.1";
  // A name or an address; whitespace would only fail later, in a DNS lookup that names no variable.
  if (/\s/.test(value)) throw new ConfigError(`HOST must be a host name or an address, not "${value}".`);
  return value;
}

/** `*`, or origins separated by commas (blanks around them ignored); none leaves CORS off. */
function corsOrigins(value: string | undefined): string[] {
  try {
    return corsOriginsFrom(value, "CORS_ORIGINS");
  } catch (error) {
    if (error instanceof RangeError) throw new ConfigError(error.message);
    throw error;
  }
}

function cursorSecret(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // The cursor codec's own minimum, checked here so that the message names the variable.
  if (Buffer.byteLength(value, "utf8") < 16) {
    throw new ConfigError(
      "CURSOR_SECRET must be at least 16 bytes long (32 random bytes, base64, is a good one).",
    );
  }
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  // Decimal digits only: Number() reads " " as 0, "0x50" as 80 and "1e3" as 1000.
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${text}".`);
  }
  return value;
}
