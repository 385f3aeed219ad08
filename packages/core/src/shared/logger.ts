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

/** The levels `createJsonLogger` knows, lowest first: for a runtime to check a configured one against. */
export const LOG_LEVELS = Object.keys(LEVELS) as readonly LogLevel[];

export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(LEVELS, value);
}

/**
 * A logger that writes one JSON object per line (`{ level, time, msg, ...fields }`): what Lambda, Azure
 * Functions and Cloud Functions collect as structured logs. No dependency, nothing buffered.
 *
 * Each line goes through the console method of its level (`console.error` for an error), not `console.log`:
 * a runtime that patches the console takes the line's level from the method. Lambda's does: `console.log` is
 * its INFO, so under an application log level of WARN or ERROR every error line written with it was dropped,
 * and the others were all labelled INFO.
 */
export function createJsonLogger(
  level: LogLevel = "info",
  write: (line: string, level: LogLevel) => void = (line, at) => console[at](line),
): Logger {
  const threshold = LEVELS[level] ?? LEVELS.info;
  const at =
    (name: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (LEVELS[name] < threshold) return;
      const time = new Date().toISOString();
      let line: string;
      try {
        line = JSON.stringify({ level: name, time, msg: message, ...fields }, withErrors);
      } catch {
        // A field JSON cannot hold (a cycle, a BigInt): the event is still worth its line.
        line = JSON.stringify({ level: name, time, msg: message, fieldsDropped: "not serializable" });
      }
      write(line, name);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * JSON.stringify's replacer for log fields: an Error, which it would write as `{}`, becomes what an operator
 * needs of it: its type, message, code (SDK and Node errors), stack, cause, and an AggregateError's errors.
 */
function withErrors(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const { code, cause, errors } = value as Error & { code?: unknown; cause?: unknown; errors?: unknown };
  return {
    type: value.name,
    message: value.message,
    ...(code !== undefined && { code }),
    stack: value.stack,
    ...(cause !== undefined && { cause }),
    ...(Array.isArray(errors) && { errors }),
  };
}
