import {
  CsvHeaderRejectedError,
  ImportFailedError,
  ImportInProgressError,
  ImportLeaseLostError,
} from "../csv-import/errors.js";
import { AppError, ValidationError } from "../shared/errors.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import {
  InvalidParameterError,
  MethodNotAllowedError,
  ServerBusyError,
  UnsupportedContentEncodingError,
  UnsupportedMediaTypeError,
} from "./http-errors.js";
import { BASE_HEADERS, problemReply, type Reply } from "./responses.js";

/**
 * The one place where errors become HTTP responses: a stable code → status table. Messages of statuses
 * below 500 (and of 501) are the caller's to read; anything else is answered with a generic message and logged.
 */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  MALFORMED_JSON: 400,
  MALFORMED_REQUEST: 400,
  // An event a runtime adapter cannot read as an HTTP request at all.
  MALFORMED_EVENT: 400,
  REQUEST_ABORTED: 400,
  INVALID_CURSOR: 400,
  INVALID_ID: 400,
  INVALID_PARAMETER: 400,
  TODO_NOT_FOUND: 404,
  OBJECT_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  EXPECTATION_FAILED: 417,
  TODO_ALREADY_EXISTS: 409,
  IMPORT_IN_PROGRESS: 409,
  IMPORT_LEASE_LOST: 409,
  VERSION_CONFLICT: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  CSV_HEADER_REJECTED: 422,
  HEADERS_TOO_LARGE: 431,
  NOT_IMPLEMENTED: 501,
  IMPORT_FAILED: 503,
  SERVER_BUSY: 503,
  STORE_UNAVAILABLE: 503,
  TIME_LIMIT_REACHED: 503,
};

/** The status of `code`, from the table's own entries: `constructor` must not find what every object inherits. */
function statusOf(code: string): number | undefined {
  return Object.hasOwn(STATUS_BY_CODE, code) ? STATUS_BY_CODE[code] : undefined;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  417: "Expectation Failed",
  422: "Unprocessable Content",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

/**
 * The problem reply for `error`: its code's status, a generic detail for a 5xx (logged with the error), and
 * the headers the error calls for. Runtimes that answer a request core never saw (an unreadable Lambda event)
 * use it too, so that every error reply comes from this table.
 */
export function errorReply(error: unknown, requestId: string, logger: Logger): Reply {
  const known = error instanceof AppError ? error : undefined;
  const status = (known && statusOf(known.code)) ?? 500;
  const code = status === 500 || !known ? "INTERNAL" : known.code;
  // A 501 says what the server does not do, asked by the caller: the caller's to read, and no failure; so does a
  // 503 SERVER_BUSY, which refuses a request it could not hold now (logged as a warning: the operator may want
  // to give the server more room, or find who holds it).
  const busy = error instanceof ServerBusyError;
  const callers = status < 500 || status === 501 || busy;

  if (busy) {
    logger.warn("request refused: the server is busy", {
      requestId,
      code: known!.code,
      reason: known!.message,
    });
  } else if (!callers) {
    logger.error("request failed", { requestId, code: known?.code ?? "INTERNAL", error: describe(error) });
  }
  const detail = callers
    ? known!.message
    : status === 503
      ? "The service is temporarily unable to complete the request; try again later."
      : "The server failed to complete the request.";

  const extensions: Record<string, unknown> = {};
  if (error instanceof ValidationError) {
    extensions.errors = error.issues;
    // As an import report says its errors were cut short.
    extensions.errorsTruncated = error.issueCount > error.issues.length;
  }
  // What failed in an import is row data the caller sent, not internals: give the report back.
  if (error instanceof ImportFailedError || error instanceof CsvHeaderRejectedError) {
    extensions.report = error.report;
  }
  // Which query parameter or header was refused, for a client to point at it without reading the detail.
  if (error instanceof InvalidParameterError) extensions.parameter = error.parameter;
  if (error instanceof ImportInProgressError || error instanceof ImportLeaseLostError) {
    extensions.importId = error.importId;
  }
  const headers: Record<string, string> = {};
  if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(", ");
  if (busy) headers["retry-after"] = String(error.retryAfterSeconds);
  // RFC 9110 §15.5.16: a 415 for a content coding says which codings are accepted.
  if (error instanceof UnsupportedContentEncodingError) headers["accept-encoding"] = "identity";
  // RFC 5789 §2.2: a PATCH refused for its document's format says which formats are accepted.
  if (error instanceof UnsupportedMediaTypeError && error.acceptPatch) {
    headers["accept-patch"] = error.acceptPatch.join(", ");
  }

  return problemReply(
    {
      type: `urn:anycloud:problem:${code.toLowerCase().replaceAll("_", "-")}`,
      title: TITLES[status] ?? "Error",
      status,
      detail,
      code,
      requestId,
      ...extensions,
    },
    headers,
  );
}

/**
 * `errorReply` with the headers every answer carries and the request id, for a runtime answering a request
 * core never served (an unreadable event, a bridge that failed): whole, as core's own answers are.
 */
export function standaloneErrorReply(error: unknown, requestId: string): Reply {
  const reply = errorReply(error, requestId, silentLogger);
  return { ...reply, headers: { ...BASE_HEADERS, ...reply.headers, "x-request-id": requestId } };
}

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: describe(error.cause) }),
  };
}
