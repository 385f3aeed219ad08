import type { Logger } from "@anycloud/core";
import { type Logger as PinoLogger, pino } from "pino";

/** JSON lines, one object per event, as log collectors expect; on stdout (1) unless told stderr (2). */
export function createPino(level: string, fd: 1 | 2 = 1): PinoLogger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: isoTimeOncePerMillisecond,
      // Core and the bridge log errors as `error`: without a serializer pino writes an Error as `{}`.
      serializers: { error: pino.stdSerializers.errWithCause, err: pino.stdSerializers.errWithCause },
    },
    pino.destination({ fd, sync: fd === 2 }),
  );
}

/**
 * Logs that the server could not start (one fatal line). At a level that writes nothing (`LOG_LEVEL=silent`),
 * the reason goes to stderr in one line instead: else the process would exit 1 without a word.
 */
export function logStartFailure(
  logger: PinoLogger,
  error: unknown,
  fields: Record<string, unknown>,
  stderr: (line: string) => void = (line) => process.stderr.write(line),
): void {
  logger.fatal({ error, ...fields }, "could not start");
  if (!logger.isLevelEnabled("fatal")) {
    stderr(`server: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

let lastMillisecond = Number.NaN;
let lastTimeField = "";

/**
 * pino's `isoTime` (`,"time":"2026-01-02T03:04:05.678Z"`), with the text made once per millisecond: a busy
 * server writes several lines a millisecond, and formatting a Date for each was a visible part of a small
 * request's cost.
 */
function isoTimeOncePerMillisecond(): string {
  const now = Date.now();
  if (now !== lastMillisecond) {
    lastMillisecond = now;
    lastTimeField = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTimeField;
}

/** Core's logger port on top of pino (core speaks `message, fields`; pino takes `fields, message`). */
export function corePortOf(logger: PinoLogger): Logger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}
