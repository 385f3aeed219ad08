/** Structured logging, the shape pino and the cloud consoles share: a message plus flat fields. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const LOGGER = Symbol.for("anycloud.Logger");

const ignore = () => {};

/** A logger that drops everything: the default for tests and libraries. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
