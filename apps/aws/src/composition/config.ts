import { isLogLevel, LOG_LEVELS, type LogLevel } from "@anycloud/core";

/** The functions' settings, from the environment serverless.yml gives them. */
export interface AwsAppConfig {
  todosTable: string;
  importsTable: string;
  /** Signs list cursors: shared by every instance (serverless.yml generates it in Secrets Manager). */
  cursorSecret: string | undefined;
  /** For the local loop and tests: DynamoDB Local, LocalStack... */
  dynamoDbEndpoint: string | undefined;
  s3Endpoint: string | undefined;
  logLevel: LogLevel;
  /**
   * The origins whose pages may call the API (CORS_ORIGINS, the stage parameter corsOrigins as
   * scripts/cors-origins.cjs checked it at package time); none, CORS off. Given to the api function only, which
   * serves the HTTP API's catch-all: API Gateway does CORS, but a preflight that reaches the function anyway
   * is answered by core (see serverless.yml).
   */
  corsOrigins: string[];
}

export function readAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsAppConfig {
  return {
    todosTable: required(env, "TODOS_TABLE"),
    importsTable: required(env, "IMPORTS_TABLE"),
    cursorSecret: env.CURSOR_SECRET || undefined,
    dynamoDbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    s3Endpoint: env.S3_ENDPOINT || undefined,
    logLevel: logLevelOf(env.LOG_LEVEL),
    // Core refuses a malformed origin when the API is composed: at load, loudly, not on a page's first call.
    corsOrigins: (env.CORS_ORIGINS ?? "").split(",").filter((origin) => origin !== ""),
  };
}

/** `info` when unset; a level the logger does not know stops the function at load, as the server refuses one. */
function logLevelOf(value: string | undefined): LogLevel {
  if (!value) return "info";
  if (!isLogLevel(value))
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not "${value}".`);
  return value;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set.`);
  return value;
}
