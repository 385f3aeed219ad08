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

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * A logger that writes one JSON object per line (`{ level, time, msg, ...fields }`): what Lambda, Azure
 * Functions and Cloud Functions collect from stdout as structured logs. No dependency, nothing buffered.
 */
export function createJsonLogger(
  level: LogLevel = "info",
  write: (line: string) => void = console.log,
): Logger {
  const threshold = LEVELS[level] ?? LEVELS.info;
  const at =
    (name: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (LEVELS[name] < threshold) return;
      write(JSON.stringify({ level: name, time: new Date().toISOString(), msg: message, ...fields }));
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
